namespace Boot2IsoKit.Inputs.InputCache;

/// <summary>The kinds of input the pipeline fetches. Kinds are plain strings in the manifest so new ones need no migration.</summary>
internal static class InputKinds
{
    public const string BaseIso = "base-iso";
    public const string EngineTgz = "engine-tgz";
    public const string EngineBinary = "engine-binary";
    public const string Deb = "deb";
    public const string Sha256File = "sha256-file";
    public const string TinyCoreExtension = "tcz";
    public const string TinyCoreDep = "tcz-dep";
    public const string TinyCoreMd5 = "tcz-md5";

    /// <summary>What a registry said an image reference is (its manifest digest, config and layers), for offline builds.</summary>
    public const string Image = "image";

    /// <summary>An image's config or layer, stored under its own digest.</summary>
    public const string ImageBlob = "image-blob";
}
