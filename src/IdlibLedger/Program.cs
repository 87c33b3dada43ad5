using IdlibLedger.Attacks;
using IdlibLedger.Audit;
using IdlibLedger.Ceasefires;
using IdlibLedger.Demo;
using IdlibLedger.Importing;
using IdlibLedger.Infrastructure;
using IdlibLedger.Live;
using IdlibLedger.Territory;
using JasperFx;

// Offline bundle verification needs no database and no server: it runs before anything is built.
if (OfflineAudit.Handles(args))
{
    return await OfflineAudit.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddLedgerLogging();

builder.Services
    .AddLedgerEventStore(builder.Configuration, builder.Environment)
    .AddLedgerTelemetry(builder.Configuration)
    .AddLedgerHealth()
    .AddAttacks()
    .AddImports()
    .AddTerritory()
    .AddCeasefires()
    .AddAudit()
    .AddLive()
    .AddDemoData();
builder.AddLedgerWebApi();

// Without a connection string only the commands that open none run (help, openapi, codegen, …); the others stop here.
if (builder.Configuration.GetConnectionString(EventStore.ConnectionStringName) is null)
{
    if (!DatabaseFreeCommands.Include(args))
    {
        return DatabaseFreeCommands.Refuse(args);
    }

    builder.UseStandInDatabase();
}

var app = builder.Build();

app.UseLedgerWebApi();
app.MapLedgerHealth();

// JasperFx command line: run (default), db-apply, db-assert, codegen, describe, …
return await app.RunJasperFxCommands(args);

/// <summary>The entry point, visible to the HTTP tests.</summary>
public partial class Program;
