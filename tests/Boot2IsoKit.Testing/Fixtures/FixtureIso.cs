namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>A built (cached) fixture ISO and what it was made from. The directories are read-only for tests.</summary>
/// <param name="IsoPath">The hybrid ISO.</param>
/// <param name="Layout">Which boot2docker layout it imitates.</param>
/// <param name="VolumeId">The ISO volume id, e.g. <c>b2d-v19.03.12</c>.</param>
/// <param name="EngineVersion">The Docker version the stand-in <c>docker</c> reports, e.g. <c>19.03.12</c>.</param>
/// <param name="RootfsDirectory">The unpacked rootfs the initrd was made from.</param>
/// <param name="GlibcVersion">Upstream glibc version of the rootfs, e.g. <c>2.36</c>.</param>
/// <param name="IsoTreeDirectory">The file tree given to xorriso.</param>
public sealed record FixtureIso(
    string IsoPath,
    FixtureLayout Layout,
    string VolumeId,
    string EngineVersion,
    string RootfsDirectory,
    string GlibcVersion,
    string IsoTreeDirectory);
