using System.Text.Json.Nodes;
using IdlibLedger.Access.ApiKeys;
using IdlibLedger.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IdlibLedger.Access;

/// <summary>
/// The OpenAPI document's account of access: both security schemes, each operation's roles (<c>x-roles</c> and a
/// line of its description), its 401/403/429 answers, and the Idempotency-Key header of every POST.
/// </summary>
public static class OpenApiSecurity
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    public static void Describe(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.Header,
                Description = "An API key (ilk_…) created by an admin: `keys create --client NAME --roles ROLE` or POST /api/keys. It names the client recorded as recordedBy.",
            };
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT from the OpenID Connect provider configured in Ledger:Jwt; its roles claim holds the ledger's roles.",
            };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var policy = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
            if (policy is null || !Policies.RolesFor.TryGetValue(policy, out var roles))
            {
                return Task.CompletedTask;
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] });
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-roles"] = new JsonNodeExtension(new JsonArray([.. roles.Select(r => (JsonNode)r)]));
            var who = policy == Policies.Read
                ? "Roles: any (viewer or above); open to anyone when the ledger's reads are public."
                : $"Roles: {string.Join(" or ", roles)}.";
            operation.Description = string.IsNullOrWhiteSpace(operation.Description) ? who : $"{operation.Description}\n\n{who}";

            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", Problem(context, "No credentials, or credentials that are unknown, revoked or expired."));
            operation.Responses.TryAdd("403", Problem(context, "The credentials do not hold a role this operation needs."));
            operation.Responses.TryAdd("429", Problem(context, "Past this client's rate limit; the Retry-After header says when to retry."));

            if (string.Equals(context.Description.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase))
            {
                operation.Parameters ??= [];
                if (!operation.Parameters.Any(p => p.Name == IdempotencyKeys.Header))
                {
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = IdempotencyKeys.Header,
                        In = ParameterLocation.Header,
                        Required = false,
                        Description = "Makes a retry safe: the same key and request are answered as the first time and append nothing; the same key with a different request is refused (422). Keys are per client and kept at least 24 h.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = IdempotencyKeys.MaxKeyLength },
                    });
                }

                operation.Responses.TryAdd("422", Problem(context, "The Idempotency-Key was already used for a different request."));
            }

            return Task.CompletedTask;
        });
    }

    private static OpenApiResponse Problem(OpenApiOperationTransformerContext context, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new()
            {
                Schema = context.Document?.Components?.Schemas?.ContainsKey("ProblemDetails") == true
                    ? new OpenApiSchemaReference("ProblemDetails", context.Document)
                    : new OpenApiSchema { Type = JsonSchemaType.Object },
            },
        },
    };
}
