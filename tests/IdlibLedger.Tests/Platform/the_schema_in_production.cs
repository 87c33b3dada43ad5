using System.Diagnostics;
using IdlibLedger.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Npgsql;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>
/// In Production the service never creates or changes its schema: <c>db-apply</c> does, before it starts. Everywhere
/// else (Development, Testing, the benchmarks) it applies the schema at start-up. The built service as a process,
/// Production, on a schema of its own that starts empty.
/// </summary>
public sealed class the_schema_in_production
{
    [Theory]
    [InlineData("Production", null, false)]
    [InlineData("Development", null, true)]
    [InlineData("Testing", null, true)]
    [InlineData("Production", "true", true)]
    [InlineData("Development", "false", false)]
    public void applying_it_at_start_up_is_off_only_in_production_unless_set(string environment, string? setting, bool applies)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Ledger:ApplySchemaOnStartup"] = setting })
            .Build();

        EventStore.ApplySchemaOnStartup(configuration, new HostingEnvironment { EnvironmentName = environment }).ShouldBe(applies);
    }

    [Fact]
    public async Task the_service_refuses_an_empty_database_until_db_apply_has_run()
    {
        var schema = $"prod_schema_{Guid.NewGuid():N}"[..24];
        var connection = Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION")
            ?? throw new InvalidOperationException("LEDGER_TEST_CONNECTION is not set (deploy/local/test.sh sets it)");
        var folder = Directory.CreateTempSubdirectory("idlib-ledger-prod-schema-");
        try
        {
            var sealKey = Path.Combine(folder.FullName, "seal-key");
            IdlibLedger.Audit.SealKey.CreateFile(sealKey);
            Task<(int ExitCode, string Output)> Run(params string[] args) => RunAsync(folder.FullName, connection, schema, sealKey, args);

            // Started on an empty schema it stops, naming what is missing, and leaves the schema as it was.
            // No arguments, as the image starts it (with --urls JasperFx hands over to IHost.RunAsync, which exits 0).
            var (refused, refusal) = await Run();
            refused.ShouldNotBe(0, refusal);
            (await TableCountAsync(connection, schema)).ShouldBe(0, refusal);

            var (applied, applyOutput) = await Run("db-apply");
            applied.ShouldBe(0, applyOutput);
            (await TableCountAsync(connection, schema)).ShouldBeGreaterThan(0);

            var (asserted, assertOutput) = await Run("db-assert");
            asserted.ShouldBe(0, assertOutput);
        }
        finally
        {
            await using var data = NpgsqlDataSource.Create(connection);
            await data.CreateCommand($"drop schema if exists {schema} cascade").ExecuteNonQueryAsync();
            folder.Delete(recursive: true);
        }
    }

    private static async Task<long> TableCountAsync(string connection, string schema)
    {
        await using var data = NpgsqlDataSource.Create(connection);
        await using var command = data.CreateCommand("select count(*) from information_schema.tables where table_schema = $1");
        command.Parameters.AddWithValue(schema);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string folder, string connection, string schema, string sealKey, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IdlibLedger.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ConnectionStrings__Ledger"] = connection;
        start.Environment["Ledger__Schema"] = schema;
        start.Environment["Ledger__LoadDemoData"] = "false";
        start.Environment["Ledger__SharedDataPath"] = "/nonexistent";
        start.Environment["Audit__SealKeyPath"] = sealKey;
        start.Environment["Audit__SigningKeyPath"] = Path.Combine(folder, "signing-key.pem");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', args)}' still running after 2 minutes: {await output}{await errors}");
        }

        return (process.ExitCode, await output + await errors);
    }
}
