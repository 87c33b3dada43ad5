using FluentValidation;
using IdlibLedger.Access;
using IdlibLedger.Infrastructure.Idempotency;
using Scalar.AspNetCore;
using Wolverine;
using Wolverine.Http;

namespace IdlibLedger.Infrastructure;

/// <summary>The HTTP side: Wolverine endpoints, JSON, validation, ProblemDetails, OpenAPI, the API reference and the dashboard.</summary>
public static class WebApi
{
    public static WebApplicationBuilder AddLedgerWebApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<LedgerOptions>(builder.Configuration.GetSection(LedgerOptions.Section));

        builder.Services.ConfigureHttpJsonOptions(json => LedgerJson.Configure(json.SerializerOptions));
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = WolverineProblems.Rewrite);
        builder.Services.AddExceptionHandler<LedgerExceptionHandler>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Limits.MaxRequestBodySize = LedgerOptions.From(context.Configuration).MaxRequestBodyBytes);

        FluentValidationPolicy.UseJsonFieldNames();
        builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: false);

        builder.Host.UseWolverine(wolverine =>
        {
            // Explicit, so that handlers and endpoints are found whichever assembly hosts the service (tests, benchmarks).
            wolverine.ApplicationAssembly = typeof(Program).Assembly;
            // Static: the handlers' code was written by `codegen write` and compiled in (the image does), so start-up
            // loads types instead of compiling them with Roslyn; Dynamic compiles at start-up (development, tests).
            wolverine.CodeGeneration.TypeLoadMode = LedgerOptions.From(builder.Configuration).CodeGeneration;
            wolverine.UseRuntimeCompilation();
            // Wolverine's tables (inbox, outbox, nodes) are part of the schema: in production db-apply makes them too.
            if (!EventStore.ApplySchemaOnStartup(builder.Configuration, builder.Environment))
            {
                wolverine.AutoBuildMessageStorageOnStartup = JasperFx.AutoCreate.None;
            }

            wolverine.Policies.AutoApplyTransactions();
            // The session is named before handlers append, so inline projections see the author a rebuild will.
            wolverine.EnableRelayOfUserName = true;
        });
        builder.Services.AddWolverineHttp();
        builder.Services.AddOpenApi(openApi =>
        {
            OpenApiSchemas.Describe(openApi);
            OpenApiSecurity.Describe(openApi);
            OpenApiContract.Describe(openApi);
            OpenApiDescriptions.Describe(openApi);
        });
        builder.AddLedgerAccess();
        builder.AddLedgerReadCache();
        builder.Services.AddLedgerCompression();
        return builder;
    }

    public static WebApplication UseLedgerWebApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value;
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<CommandMetrics>();
        // Compression outside the ETags, so that a tag is the uncompressed body's; the page's files are compressed too.
        app.UseResponseCompression();
        // The page and its bundle: static files for anyone, before routing, authentication and the rate limits.
        app.UseLedgerDashboard();
        app.UseMiddleware<ETags>();
        app.UseMiddleware<RequestLimits>(options.MaxRequestBodyBytes, options.MaxImportBytes);
        app.UseLedgerAccess();
        app.UseLedgerReadCache();
        app.UseMiddleware<JsonRequests>();
        app.UseMiddleware<IdempotencyKeys>();

        // The API's description is public: it says how to authenticate, and holds no data.
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(page => page.WithTitle("IdlibLedger API")
            .AddPreferredSecuritySchemes(OpenApiSecurity.ApiKeyScheme)).AllowAnonymous();
        app.MapWolverineEndpoints(http =>
        {
            http.RejectUnparseableQueryValues = true;
            http.AddPolicy<FluentValidationPolicy>();
            http.AddPolicy<ZeroStreamIdPolicy>();
            http.ConfigureEndpoints(chain =>
            {
                AccessConfiguration.RequireDeclaredPolicy(chain);
                RateLimits.Apply(chain);
            });
        });
        return app;
    }
}
