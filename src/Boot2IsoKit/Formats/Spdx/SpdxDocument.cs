using System.Text.Json.Serialization;

namespace Boot2IsoKit.Formats.Spdx;

/// <summary>
/// An SPDX 2.3 document (https://spdx.github.io/spdx-spec/v2.3/), the parts a build's bill of materials
/// uses, shaped as the specification's JSON schema (schemas/spdx-schema.json of spdx/spdx-spec v2.3).
/// Lists are written in the order given: the filler decides the order, so equal documents are equal bytes.
/// </summary>
internal sealed record SpdxDocument
{
    public const string Version = "SPDX-2.3";

    /// <summary>The licence of the document itself, fixed by the specification (clause 6.2).</summary>
    public const string DocumentDataLicense = "CC0-1.0";

    public const string DocumentId = "SPDXRef-DOCUMENT";

    /// <summary>"No assertion is made" (clause 3.2): the value is not known or not claimed.</summary>
    public const string NoAssertion = "NOASSERTION";

    [JsonPropertyName("spdxVersion")]
    public string SpdxVersion { get; init; } = Version;

    public string DataLicense { get; init; } = DocumentDataLicense;

    [JsonPropertyName("SPDXID")]
    public string SpdxId { get; init; } = DocumentId;

    public required string Name { get; init; }

    /// <summary>A URI unique to this document (clause 6.5).</summary>
    public required string DocumentNamespace { get; init; }

    public required SpdxCreationInfo CreationInfo { get; init; }

    public string? Comment { get; init; }

    public IReadOnlyList<SpdxPackage> Packages { get; init; } = [];

    public IReadOnlyList<SpdxFile> Files { get; init; } = [];

    public IReadOnlyList<SpdxRelationship> Relationships { get; init; } = [];
}

/// <param name="Created">UTC, "2026-12-01T14:00:00Z" (clause 6.9).</param>
/// <param name="Creators">"Tool: name-version", "Organization: ...", "Person: ..." (clause 6.8).</param>
internal sealed record SpdxCreationInfo(string Created, IReadOnlyList<string> Creators);

internal sealed record SpdxPackage
{
    [JsonPropertyName("SPDXID")]
    public required string SpdxId { get; init; }

    public required string Name { get; init; }

    public string? VersionInfo { get; init; }

    public string? PackageFileName { get; init; }

    /// <summary>A URL, or <see cref="SpdxDocument.NoAssertion"/>, or "NONE" (clause 7.7).</summary>
    public required string DownloadLocation { get; init; }

    /// <summary>True only with <see cref="PackageVerificationCode"/> and the files the package contains (clause 7.8).</summary>
    public bool FilesAnalyzed { get; init; }

    public SpdxVerificationCode? PackageVerificationCode { get; init; }

    public IReadOnlyList<SpdxChecksum>? Checksums { get; init; }

    public string? SourceInfo { get; init; }

    public string LicenseConcluded { get; init; } = SpdxDocument.NoAssertion;

    public string LicenseDeclared { get; init; } = SpdxDocument.NoAssertion;

    public string CopyrightText { get; init; } = SpdxDocument.NoAssertion;

    public string? Comment { get; init; }

    public IReadOnlyList<SpdxExternalRef>? ExternalRefs { get; init; }

    /// <summary>APPLICATION, LIBRARY, OPERATING_SYSTEM, ARCHIVE, FILE, OTHER, ... (clause 7.24).</summary>
    public string? PrimaryPackagePurpose { get; init; }
}

internal sealed record SpdxFile
{
    [JsonPropertyName("SPDXID")]
    public required string SpdxId { get; init; }

    /// <summary>The path relative to the package root, starting "./" (clause 8.1).</summary>
    public required string FileName { get; init; }

    /// <summary>SHA1 is required (clause 8.4); others may follow.</summary>
    public required IReadOnlyList<SpdxChecksum> Checksums { get; init; }

    public string LicenseConcluded { get; init; } = SpdxDocument.NoAssertion;

    public string CopyrightText { get; init; } = SpdxDocument.NoAssertion;

    public string? Comment { get; init; }
}

internal sealed record SpdxChecksum(SpdxChecksumAlgorithm Algorithm, string ChecksumValue);

/// <summary>The schema's names are these in upper snake case ("SHA256", "MD5").</summary>
internal enum SpdxChecksumAlgorithm
{
    Sha1,
    Sha256,
    Md5,
}

/// <summary>The SHA1 over the sorted SHA1s of a package's files (clause 7.9).</summary>
internal sealed record SpdxVerificationCode(string PackageVerificationCodeValue);

/// <param name="ReferenceCategory">"PACKAGE-MANAGER", "SECURITY", "PERSISTENT-ID" or "OTHER".</param>
/// <param name="ReferenceType">"purl" for a package URL (Annex F).</param>
internal sealed record SpdxExternalRef(string ReferenceCategory, string ReferenceType, string ReferenceLocator)
{
    public static SpdxExternalRef PackageUrl(string purl) => new("PACKAGE-MANAGER", "purl", purl);
}

internal sealed record SpdxRelationship(string SpdxElementId, SpdxRelationshipType RelationshipType, string RelatedSpdxElement);

/// <summary>The relationship types used (clause 11.1); the schema's names are these in upper snake case.</summary>
internal enum SpdxRelationshipType
{
    /// <summary>The document describes the element.</summary>
    Describes,

    /// <summary>A contains B (a package and a file or package inside it).</summary>
    Contains,

    /// <summary>A generates B (an input and a file the build made from it).</summary>
    Generates,
}
