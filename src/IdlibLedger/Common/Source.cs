using FluentValidation;
using IdlibLedger.Infrastructure;

namespace IdlibLedger.Common;

/// <summary>Where a report comes from. <c>claimedBy</c> names the party whose claim it carries, if any.</summary>
/// <param name="Outlet">The outlet that published it. Required; At most 200 characters.</param>
/// <param name="PublishedAt">Publication date (YYYY-MM-DD), not after tomorrow; optional.</param>
/// <param name="Title">The publication's title; optional, Free text, at most 4000 characters.</param>
/// <param name="Url">An absolute http(s) URL; optional.</param>
/// <param name="ClaimedBy">The party whose claim the source carries; optional, At most 200 characters.</param>
public sealed record Source(string? Outlet, DateOnly? PublishedAt, string? Title, string? Url, string? ClaimedBy = null)
{
    public sealed class Validator : AbstractValidator<Source>
    {
        public Validator(LedgerClock clock)
        {
            RuleFor(s => s.Outlet).NotEmpty().MaximumLength(Limits.Name);
            RuleFor(s => s.Title).MaximumLength(Limits.Text);
            RuleFor(s => s.Url)
                .Must(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                .When(s => s.Url is not null)
                .WithMessage("url must be an absolute http(s) address");
            RuleFor(s => s.PublishedAt)
                .Must(date => date <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(1)))
                .When(s => s.PublishedAt is not null)
                .WithMessage("publishedAt cannot be in the future");
            RuleFor(s => s.ClaimedBy).MaximumLength(Limits.Name);
        }
    }
}
