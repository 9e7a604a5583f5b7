namespace Boot2IsoKit.Model.Layouts;

/// <summary>A file the ISO carries on its own file system, read from <paramref name="Content"/> when the ISO is written.</summary>
/// <param name="Path">Its path on the ISO ("b2ik/images/01-tiny.tar").</param>
internal sealed record MediumFile(string Path, Boot2IsoKit.Plumbing.IO.IContentSource Content);
