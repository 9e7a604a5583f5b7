namespace Boot2IsoKit.Stages.Planning;

/// <summary>Which engine builds the ISO: the planner plans for one (a native build needs the base ISO).</summary>
internal enum BuilderKind
{
    /// <summary>In-process remaster in pure .NET: no Docker, no xorriso, no root.</summary>
    Native,

    /// <summary>A rendered Dockerfile built through the Docker Engine API.</summary>
    Docker,
}
