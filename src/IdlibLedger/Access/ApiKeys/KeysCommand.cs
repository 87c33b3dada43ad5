using System.Globalization;
using IdlibLedger.Infrastructure;
using JasperFx.CommandLine;
using Marten;

namespace IdlibLedger.Access.ApiKeys;

public sealed class KeysInput : NetCoreInput
{
    [Description("create, list or revoke")]
    public string Action { get; set; } = "list";

    [Description("The key id (revoke)")]
    public string? Id { get; set; }

    [Description("The client the key names, recorded as recordedBy (create)")]
    public string? ClientFlag { get; set; }

    [Description("Comma-separated roles: viewer, reporter, analyst, auditor, admin (create)")]
    public string? RolesFlag { get; set; }

    [Description("Days until the key expires (create; default Ledger:ApiKeyDays)")]
    public int? DaysFlag { get; set; }

    [Description("List revoked and expired keys too (list)")]
    public bool AllFlag { get; set; }
}

/// <summary>
/// <c>keys create --client desk-ankara --roles reporter</c> prints a new key once (stdout, nothing else there);
/// <c>keys list [--all]</c> and <c>keys revoke ID</c> manage them. The same code as <c>/api/keys</c>.
/// </summary>
[Description("Create, list or revoke API keys", Name = "keys")]
public sealed class KeysCommand : JasperFxAsyncCommand<KeysInput>
{
    /// <summary>Recorded as the creator or revoker of keys managed on the command line.</summary>
    public const string Operator = "command-line";

    public KeysCommand()
    {
        Usage("List the active keys").Arguments(x => x.Action);
        Usage("Revoke a key").Arguments(x => x.Action, x => x.Id!);
    }

    public override async Task<bool> Execute(KeysInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var host = input.BuildHost();
        await using var scope = host.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var session = store.LightweightSession();
        switch (input.Action)
        {
            case "create":
                var command = new CreateApiKey(input.ClientFlag, input.RolesFlag?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), input.DaysFlag);
                var errors = new CreateApiKey.Validator().Validate(command);
                if (!errors.IsValid)
                {
                    foreach (var error in errors.Errors)
                    {
                        await Console.Error.WriteLineAsync($"{error.PropertyName}: {error.ErrorMessage}");
                    }

                    return false;
                }

                var options = LedgerOptions.From(host.Services.GetRequiredService<IConfiguration>());
                var issued = await ApiKeyLedger.IssueAsync(session, command, options.ApiKeyDays, Operator, CancellationToken.None);
                await Console.Error.WriteLineAsync($"key {issued.Details.Id} for {issued.Details.Client} [{string.Join(",", issued.Details.Roles)}], expires {issued.Details.ExpiresAt:O}; it is shown only now:");
                await Console.Out.WriteLineAsync(issued.Key);
                return true;
            case "list":
                foreach (var key in await ApiKeyLedger.ListAsync(session, input.AllFlag, CancellationToken.None))
                {
                    var state = key.Active ? "active" : key.RevokedAt is { } revoked ? $"revoked {revoked:O}" : "expired";
                    await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{key.Id}  {key.Client,-24} {string.Join(",", key.Roles),-32} expires {key.ExpiresAt:yyyy-MM-dd}  {state}"));
                }

                return true;
            case "revoke" when input.Id is { Length: > 0 } id:
                if (await ApiKeyLedger.RevokeAsync(session, id, Operator, CancellationToken.None) is not { } summary)
                {
                    await Console.Error.WriteLineAsync($"no API key '{id}'");
                    return false;
                }

                await Console.Out.WriteLineAsync($"{summary.Id} revoked at {summary.RevokedAt:O}");
                return true;
            default:
                await Console.Error.WriteLineAsync("usage: keys create --client NAME --roles ROLE[,ROLE] [--days N] | keys list [--all] | keys revoke ID");
                return false;
        }
    }
}
