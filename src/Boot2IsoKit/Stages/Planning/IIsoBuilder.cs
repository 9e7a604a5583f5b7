namespace Boot2IsoKit.Stages.Planning;

/// <summary>
/// A way to turn a <see cref="BuildPlan"/> into an ISO: the native remaster or the docker builder.
/// Implementations write <see cref="BuildPlan.OutputPath"/> atomically and decide nothing about content.
/// </summary>
internal interface IIsoBuilder
{
    /// <summary>"native" or "docker", as the build record names it.</summary>
    string Name { get; }

    Task<BuildOutcome> BuildAsync(BuildPlan plan, CancellationToken cancellationToken = default);
}

/// <summary>What a builder wrote.</summary>
/// <param name="Summary">One line for the log.</param>
internal sealed record BuildOutcome(string IsoPath, string Sha256, string Summary);
