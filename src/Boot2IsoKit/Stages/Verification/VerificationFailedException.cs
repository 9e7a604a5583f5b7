using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.Verification;

/// <summary>A Verify row failed; the message names the failed rows and carries the table and console excerpts.</summary>
internal sealed class VerificationFailedException(VerificationReport report)
    : Boot2IsoKitException($"Verify failed: {string.Join("; ", report.Failed.Select(r => $"{r.Boot}: {r.Check}"))}\n{report.ToText()}")
{
    public VerificationReport Report { get; } = report;
}
