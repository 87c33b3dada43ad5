using System.Security.Cryptography;
using IdlibLedger.Audit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdlibLedger.Infrastructure;

/// <summary>
/// The command line without <c>ConnectionStrings:Ledger</c>: the commands that build the service but never open a
/// connection (help, the OpenAPI document, generated code, the DDL, …) run against a stand-in database, and every
/// other command stops with a message naming the setting, instead of the stack trace of the first service that needs it.
/// (<c>audit verify-bundle</c> builds nothing at all: <see cref="OfflineAudit"/>.)
/// </summary>
public static class DatabaseFreeCommands
{
    /// <summary>
    /// Stands in for the connection string: a socket folder that does not exist, so a connection that a listed command
    /// opened after all would fail at once, naming the missing setting, rather than reach some server.
    /// </summary>
    public const string StandInConnectionString = "Host=/ConnectionStrings__Ledger-is-not-set;Database=ledger";

    /// <summary>Exit code of a command refused for want of a database, as for a missing argument (<c>audit verify-bundle</c>).</summary>
    public const int RefusedExitCode = 2;

    /// <summary>The commands, or a command's action, that run without a database; each was tried against none.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "help", "audit verify-bundle", "openapi", "codegen", "describe", "describe-event-model", "event-model", "scaffold", "db-dump", "projections list",
    ];

    /// <summary>Whether the command line names one of <see cref="Names"/> (<c>help</c> and <c>?</c> with any command after them).</summary>
    public static bool Include(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args switch
        {
            ["help" or "?", ..] => true,
            ["audit", "verify-bundle", ..] or ["projections", "list", ..] => true,
            ["openapi" or "codegen" or "describe" or "describe-event-model" or "event-model" or "scaffold" or "db-dump", ..] => true,
            _ => false,
        };
    }

    /// <summary>Says why the command cannot run and what would let it; no stack trace.</summary>
    public static int Refuse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        // JasperFx runs the service when the first argument is missing or a flag (--urls …).
        var command = args is [var first, ..] && !first.StartsWith('-') ? first : "run";
        Console.Error.WriteLine(
            $"""
             '{command}' needs the database, and ConnectionStrings:Ledger is not set.
             Set ConnectionStrings__Ledger to an Npgsql connection string; for the local PostgreSQL cluster (deploy/local/run.sh does this itself):
               export ConnectionStrings__Ledger="$(deploy/local/postgres.sh)"
             Without a database only these run: {string.Join(", ", Names)}.
             """);
        return RefusedExitCode;
    }

    /// <summary>
    /// Points the service at <see cref="StandInConnectionString"/> and gives it a throwaway seal key: nothing is written
    /// without a database, so nothing is sealed, and the command needs no <c>Audit:SealKeyPath</c> either.
    /// Call it after the services are added: it replaces the seal key they registered.
    /// </summary>
    public static void UseStandInDatabase(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration[$"ConnectionStrings:{EventStore.ConnectionStringName}"] = StandInConnectionString;
        builder.Services.Replace(ServiceDescriptor.Singleton(new SealKey(RandomNumberGenerator.GetBytes(32))));
    }
}
