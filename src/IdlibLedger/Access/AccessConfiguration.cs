using System.Security.Cryptography;
using IdlibLedger.Access.ApiKeys;
using IdlibLedger.Infrastructure;
using IdlibLedger.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;
using Wolverine.Http;

namespace IdlibLedger.Access;

/// <summary>
/// Who may call what: API keys and bearer tokens (ASP.NET Core's handlers), the five policies, 401/403 as
/// ProblemDetails, CORS, and a refusal at start-up of any endpoint that declares no policy.
/// </summary>
public static class AccessConfiguration
{
    /// <summary>The default scheme: <c>X-Api-Key</c> goes to the API-key handler, <c>Authorization: Bearer</c> to JWT.</summary>
    public const string Scheme = "ledger";

    public const string CorsPolicy = "dashboards";

    public static WebApplicationBuilder AddLedgerAccess(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = LedgerOptions.From(builder.Configuration);
        var jwt = options.Jwt;

        var authentication = builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key or bearer token", scheme => scheme.ForwardDefaultSelector = context =>
                jwt.Enabled && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, key =>
                key.DevelopmentKey = builder.Environment.IsDevelopment() ? builder.Configuration["LEDGER_DEV_API_KEY"] : null);
        if (jwt.Enabled)
        {
            RequireCompleteJwtSettings(jwt);
            authentication.AddJwtBearer(bearer => ConfigureBearer(bearer, jwt));
        }

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Read, policy => policy.AddRequirements(new ReadAccess(options.PublicReads)))
            .AddPolicy(Policies.Report, policy => policy.RequireRole(Policies.RolesFor[Policies.Report]))
            .AddPolicy(Policies.Analyse, policy => policy.RequireRole(Policies.RolesFor[Policies.Analyse]))
            .AddPolicy(Policies.Audit, policy => policy.RequireRole(Policies.RolesFor[Policies.Audit]))
            .AddPolicy(Policies.Administer, policy => policy.RequireRole(Policies.RolesFor[Policies.Administer]));
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton(_ => new ApiKeyCache(TimeProvider.System));
        builder.Services.AddSingleton<IAuthorizationHandler, ReadAccessHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AccessProblems>();

        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(options.CorsOrigins)
            .WithMethods("GET", "POST")
            .WithHeaders("Authorization", ApiKeyAuthenticationHandler.Header, "Content-Type", IdempotencyKeys.Header)
            .WithExposedHeaders("Location", "Retry-After", IdempotencyKeys.ReplayedHeader)));

        builder.Services.AddLedgerRateLimits(options.RateLimits);
        builder.Services.AddHostedService<IdempotencyKeyExpiry>();
        return builder;
    }

    /// <summary>The event store's part: API keys and idempotency records as documents, and the listener that keys transactions.</summary>
    public static void Configure(Marten.StoreOptions store, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Schema.For<ApiKey>().Index(k => k.Client);
        IdempotencyRecord.Configure(store);
        store.Listeners.Add(new IdempotencyListener(services.GetRequiredService<IHttpContextAccessor>()));
    }

    public static WebApplication UseLedgerAccess(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRouting();
        app.UseCors(CorsPolicy);
        app.UseAuthentication();
        // Before authorization, so that floods of unauthenticated requests are limited too (by address).
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Every Wolverine endpoint must say who may call it; one that does not stops the service from starting.</summary>
    public static void RequireDeclaredPolicy(HttpChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var attributes = chain.Method.HandlerType.GetCustomAttributes(true).Concat(chain.Method.Method.GetCustomAttributes(true)).ToArray();
        var policies = attributes.OfType<IAuthorizeData>().Select(a => a.Policy).ToArray();
        var anonymous = attributes.OfType<IAllowAnonymous>().Any();
        if (!anonymous && (policies.Length != 1 || !Policies.RolesFor.ContainsKey(policies[0] ?? string.Empty)))
        {
            throw new InvalidOperationException(
                $"{chain.Method.HandlerType.Name}.{chain.Method.Method.Name} ({chain.RoutePattern?.RawText}) must declare exactly one access policy: " +
                "[ForViewers], [ForReporters], [ForAnalysts], [ForAuditors] or [ForAdmins] (see Access/Roles.cs).");
        }
    }

    /// <summary>Half-configured bearer tokens stop the service at start-up, not at the first request.</summary>
    private static void RequireCompleteJwtSettings(JwtOptions jwt)
    {
        if (string.IsNullOrWhiteSpace(jwt.Audience))
        {
            throw new InvalidOperationException("Ledger:Jwt:Audience is required when bearer tokens are on.");
        }

        if (string.IsNullOrWhiteSpace(jwt.Authority) && string.IsNullOrWhiteSpace(jwt.Issuer))
        {
            throw new InvalidOperationException("Ledger:Jwt:Issuer is required when the signing keys are given without an authority.");
        }

        foreach (var key in jwt.SigningKeys)
        {
            _ = SigningKey(key);
        }
    }

    private static void ConfigureBearer(JwtBearerOptions bearer, JwtOptions jwt)
    {
        bearer.Authority = string.IsNullOrWhiteSpace(jwt.Authority) ? null : jwt.Authority;
        bearer.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        bearer.MapInboundClaims = false;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = string.IsNullOrWhiteSpace(jwt.Issuer) ? null : jwt.Issuer,
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = jwt.NameClaim,
            RoleClaimType = jwt.RolesClaim,
            IssuerSigningKeys = jwt.SigningKeys.Length == 0 ? null : [.. jwt.SigningKeys.Select(SigningKey)],
        };
    }

    private static SecurityKey SigningKey(string configured)
    {
        var text = configured.Trim();
        if (!text.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return new SymmetricSecurityKey(Convert.FromBase64String(text));
        }

        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(text);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(text);
            return new ECDsaSecurityKey(ec);
        }
    }
}

/// <summary>A read: any ledger role, or no credentials at all when reads are public (bad credentials never pass).</summary>
public sealed record ReadAccess(bool PublicReads) : IAuthorizationRequirement;

public sealed class ReadAccessHandler(IHttpContextAccessor http) : AuthorizationHandler<ReadAccess>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ReadAccess requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (Roles.All.Any(context.User.IsInRole)
            || (requirement.PublicReads && context.User.Identity?.IsAuthenticated != true && !AccessProblems.PresentsCredentials(http.HttpContext)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>401 and 403 as ProblemDetails that say what was missing, instead of ASP.NET Core's empty answers.</summary>
public sealed class AccessProblems(IProblemDetailsService problems, IConfiguration configuration) : IAuthorizationMiddlewareResultHandler
{
    public const string Challenge = "ApiKey header=\"X-Api-Key\", Bearer";

    public static bool PresentsCredentials(HttpContext? context) =>
        context is not null && (context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) || context.Request.Headers.ContainsKey("Authorization"));

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        var policyName = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
        var roles = policyName is not null && Policies.RolesFor.TryGetValue(policyName, out var allowed) ? string.Join(", ", allowed) : "an authenticated caller";
        ProblemDetails problem;
        if (context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = Challenge;
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Credentials are missing or not valid",
                Type = "https://www.rfc-editor.org/rfc/rfc9110#name-401-unauthorized",
                Detail = $"{await WhyNotAuthenticatedAsync(context)} Send an API key in the X-Api-Key header or a bearer token; this operation needs one of the roles: {roles}. Nothing was recorded.",
            };
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var held = context.User.Claims.Where(c => c.Type == ((System.Security.Claims.ClaimsIdentity)context.User.Identity).RoleClaimType).Select(c => c.Value);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "The credentials do not allow this operation",
                Type = "https://www.rfc-editor.org/rfc/rfc9110#name-403-forbidden",
                Detail = $"'{context.User.Identity.Name}' holds the roles [{string.Join(", ", held)}]; this operation needs one of: {roles}. Nothing was recorded.",
            };
        }

        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private async Task<string> WhyNotAuthenticatedAsync(HttpContext context)
    {
        // The authentication middleware keeps only successes; a failure's reason is asked again (handlers cache it).
        if ((await context.AuthenticateAsync()).Failure is { } failure)
        {
            return $"The credentials were refused: {failure.Message}.";
        }

        if (context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && !LedgerOptions.From(configuration).Jwt.Enabled)
        {
            return "This ledger does not accept bearer tokens (Ledger:Jwt is not configured).";
        }

        return "No credentials were sent.";
    }
}
