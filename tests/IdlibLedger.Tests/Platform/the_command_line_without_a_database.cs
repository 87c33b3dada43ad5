using System.Diagnostics;
using Shouldly;

namespace IdlibLedger.Tests.Platform;

/// <summary>
/// The built service run as a process, as on a fresh clone: no connection string, no seal key, Production, and a
/// working folder of its own. The commands that open no connection work; the others say what is missing.
/// </summary>
public sealed class the_command_line_without_a_database
{
    [Fact]
    public async Task help_lists_the_commands()
    {
        var (exitCode, output, errors) = await RunAsync("help");

        exitCode.ShouldBe(0, errors);
        output.ShouldContain("The available commands are:");
        foreach (var command in new[] { "audit", "keys", "import", "projections", "db-apply", "openapi", "run" })
        {
            output.ShouldContain($"  {command} ");
        }

        errors.ShouldNotContain("Exception");
    }

    [Fact]
    public async Task openapi_writes_the_document()
    {
        var (exitCode, output, errors) = await RunAsync("openapi");

        exitCode.ShouldBe(0, errors);
        output.ShouldContain("\"/api/attacks\"");
    }

    [Theory]
    [InlineData("keys", "list")]
    [InlineData("audit", "verify")]
    [InlineData("run")]
    public async Task a_command_that_needs_the_database_says_so_without_a_stack_trace(params string[] args)
    {
        var (exitCode, output, errors) = await RunAsync(args);

        exitCode.ShouldBe(2);
        errors.ShouldStartWith($"'{args[0]}' needs the database, and ConnectionStrings:Ledger is not set.");
        errors.ShouldContain("export ConnectionStrings__Ledger=");
        (output + errors).ShouldNotContain("Exception");
        (output + errors).ShouldNotContain("   at ");
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] args)
    {
        var folder = Directory.CreateTempSubdirectory("idlib-ledger-cli-");
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = folder.FullName,
            };
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IdlibLedger.dll"));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var inherited in new[] { "ConnectionStrings__Ledger", "Audit__SealKeyPath", "Audit__SigningKeyPath", "DOTNET_ENVIRONMENT" })
            {
                start.Environment.Remove(inherited);
            }

            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output, await errors);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
