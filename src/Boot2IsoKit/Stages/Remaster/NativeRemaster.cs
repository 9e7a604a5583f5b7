using System.Diagnostics;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Formats.Iso9660.Building;
using Boot2IsoKit.Inputs.BaseIsos;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Stages.Planning;

namespace Boot2IsoKit.Stages.Remaster;

/// <summary>
/// The native builder: remasters the base ISO in-process. The plan's delta becomes one overlay that is
/// added to the base initrd (appended as its own member, or merged), and a new bootable hybrid ISO is
/// written with the base's boot setup and system area. No Docker, no xorriso, no root; temporary files
/// live beside the output and are removed, the output appears atomically.
/// </summary>
internal sealed class NativeRemaster(PipelineLog log) : IIsoBuilder
{
    public string Name => "native";

    public async Task<BuildOutcome> BuildAsync(BuildPlan plan, CancellationToken cancellationToken = default)
    {
        var report = await RemasterAsync(plan, cancellationToken).ConfigureAwait(false);
        return new BuildOutcome(report.OutputIso, report.OutputSha256, report.ToString());
    }

    public async Task<RemasterReport> RemasterAsync(BuildPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var baseIso = plan.Base is BuildBase.IsoFile iso
            ? iso.Opened
            : throw new ArgumentException("the native builder remasters a base ISO; this plan names a base image", nameof(plan));
        var basePath = baseIso.Path;
        var clock = Stopwatch.StartNew();
        var output = Path.GetFullPath(plan.OutputPath);
        var outputDirectory = Path.GetDirectoryName(output)!;
        // A killed earlier run may have left its scratch, or a half-written ISO, beside this output.
        StaleScratch.RemoveAndSay(outputDirectory, $".b2ik-{Path.GetFileNameWithoutExtension(output)}-*.tmp", log);
        StaleScratch.RemoveAndSay(outputDirectory, $".{Path.GetFileName(output)}.*.tmp", log);
        var scratchDirectory = ScratchDirectory.Create(Path.Combine(outputDirectory, $".b2ik-{Path.GetFileNameWithoutExtension(output)}-{Environment.ProcessId}.tmp"));
        var scratch = scratchDirectory.Path;
        try
        {
            log.Detail($"base {basePath}: {baseIso.Layout.Name} layout, label {baseIso.Image.VolumeId}, initrd {baseIso.InitrdNode.Size} bytes");
            var (initrd, initrdContent) = await WriteInitrdAsync(plan, baseIso, plan.Delta, scratch, cancellationToken).ConfigureAwait(false);

            var builder = IsoBuilder.FromImage(baseIso.Image);
            var timestamp = plan.Iso.Timestamp;
            builder.Timestamp = timestamp;
            builder.VolumeId = plan.Iso.VolumeLabel;
            builder.AddFile(baseIso.Layout.InitrdPath, initrdContent, baseIso.InitrdNode.Permissions, modificationTime: timestamp);
            foreach (var (path, text) in plan.Iso.RootFiles)
            {
                builder.AddFile(path, BytesContent.FromText(text, "/" + path), modificationTime: timestamp);
            }

            foreach (var file in plan.Iso.MediumFiles)
            {
                builder.AddFile(file.Path, file.Content, modificationTime: timestamp);
            }

            var progress = log.Progress("writing " + Path.GetFileName(output));
            builder.BuildToFile(output, new Progress<IsoBuildProgress>(p => progress.Report(new ProgressReport(p.BytesWritten, p.TotalBytes))), cancellationToken);

            var sha256 = await FileHash.Sha256Async(output, cancellationToken).ConfigureAwait(false);
            Verify(output, plan);
            return new RemasterReport(
                basePath,
                baseIso.Layout.Name,
                output,
                plan.Iso.VolumeLabel,
                plan.StampedVersion,
                plan.Engine?.BinaryNames ?? [],
                [.. plan.Delta.Entries.Select(e => "/" + e.Path)],
                initrd,
                new FileInfo(output).Length,
                sha256,
                clock.Elapsed);
        }
        catch (OutputWriteException e) when (e.NeededBytes is null)
        {
            throw e.WithNeeded(SpaceNeeded(baseIso, plan));
        }
        catch (IOException e) when (OutputWriteException.IsOutOfSpace(e))
        {
            throw OutputWriteException.For(output, SpaceNeeded(baseIso, plan), e);
        }
        finally
        {
            scratchDirectory.Dispose();
        }
    }

    /// <summary>
    /// About what a build writes beside its output: the unpacked engine (about 4x its tgz) and the initrd
    /// member (about 1x) in scratch, then the ISO (the base plus the member and the files it carries, images).
    /// </summary>
    private static long SpaceNeeded(BaseIso baseIso, BuildPlan plan)
    {
        var tgz = plan.Engine?.Tgz is { } path && File.Exists(path) ? new FileInfo(path).Length : 0;
        var baseSize = File.Exists(baseIso.Path) ? new FileInfo(baseIso.Path).Length : 0;
        return baseSize + (6 * tgz) + plan.Iso.MediumFiles.Sum(f => f.Content.Length);
    }

    /// <summary>
    /// The new initrd. Append writes only the overlay member to the scratch directory: the ISO writer reads
    /// the base initrd straight out of the base ISO and then the member, so the base is never copied to a
    /// temporary file. Merge rewrites the whole archive into the scratch directory.
    /// </summary>
    private static async Task<(InitrdOverlayResult Result, IContentSource Content)> WriteInitrdAsync(BuildPlan plan, BaseIso baseIso, RootfsOverlay overlay, string scratch, CancellationToken cancellationToken)
    {
        var input = $"{baseIso.Path}!/{baseIso.Layout.InitrdPath}";
        if (plan.InitrdMode == InitrdOverlayMode.Append)
        {
            var memberPath = Path.Combine(scratch, "overlay-member.gz");
            InitrdOverlayResult appended;
            await using (var member = new FileStream(memberPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                appended = await Task.Run(() => InitrdOverlayWriter.WriteAppendedMember(overlay, baseIso.Contents, baseIso.InitrdNode.Size, member, input, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            }

            var baseInitrd = new DelegateContent(baseIso.InitrdNode.Size, input, () => baseIso.Image.OpenFile(baseIso.InitrdNode));
            return (appended, new ConcatenatedContent($"{input} + overlay", baseInitrd, new FileContent(memberPath)));
        }

        var initrdPath = Path.Combine(scratch, "initrd.img");
        InitrdOverlayResult merged;
        await using (var baseStream = baseIso.Image.OpenFile(baseIso.InitrdNode))
        await using (var newInitrd = new FileStream(initrdPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
        {
            merged = await InitrdOverlayWriter.WriteAsync(baseStream, overlay, plan.InitrdMode, newInitrd, input: input, baseContents: baseIso.Contents, mergeCompression: plan.MergeCompression, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return (merged, new FileContent(initrdPath));
    }

    /// <summary>Reads the written image back: the label docker-machine will read, and a boot setup that verifies.</summary>
    private static void Verify(string output, BuildPlan plan)
    {
        using var written = IsoImage.Open(output);
        if (written.VolumeId != plan.Iso.VolumeLabel)
        {
            throw new Boot2IsoKitException($"{output}: the written label is '{written.VolumeId}', not '{plan.Iso.VolumeLabel}'");
        }

        if (written.ElTorito is null || written.BootInfoTable is not { Verifies: true })
        {
            throw new Boot2IsoKitException($"{output}: the written image has no verifiable El Torito boot setup");
        }
    }
}
