namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>Variations of a fixture ISO. Every combination is cached separately.</summary>
public sealed record FixtureOptions
{
    /// <summary>Debian suite whose <c>libc6</c> becomes the rootfs glibc (bookworm = 2.36, bullseye = 2.31).</summary>
    public string GlibcSuite { get; init; } = "bookworm";

    /// <summary>
    /// <c>lib64 -> lib</c> like boot2docker. False gives the plain Tiny Core shape, where the loader
    /// exists only at <c>/lib/ld-linux-x86-64.so.2</c>.
    /// </summary>
    public bool Lib64Link { get; init; } = true;

    /// <summary>
    /// Megabytes of real ELF files from Debian packages added under opt/b2ik-padding, to reach
    /// boot2docker-like sizes (and compression ratios) for benchmarks.
    /// </summary>
    public int PaddingMegabytes { get; init; }
}
