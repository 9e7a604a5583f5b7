using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Bench;

/// <summary>
/// The reference a user would write by hand for the same build: a shell pipeline of C tools (xorriso,
/// tar, cpio, pigz, cat). "first" also decodes the base initrd with xz to read its motd and os-release,
/// as a first build of a base must; "repeat" reuses what the first one read, as a repeat build can.
/// ipvsadm is copied without its libraries (a hand-made build would add two more small .debs).
/// </summary>
internal static class HandMade
{
    /// <summary>Writes the script (run as <c>sh SCRIPT first|repeat OUTPUT-ISO</c>) and fetches its ipvsadm .deb.</summary>
    public static string Prepare(string work, string baseIso, TestEngine engine)
    {
        var directory = Directory.CreateDirectory(Path.Combine(work, "hand-made")).FullName;
        if (Directory.GetFiles(directory, "ipvsadm_*.deb").Length == 0)
        {
            ExternalTool.RunCheckedAsync("apt-get", ["download", "ipvsadm"], directory).GetAwaiter().GetResult();
        }

        var deb = Directory.GetFiles(directory, "ipvsadm_*.deb").Single();
        var script = Path.Combine(directory, "build.sh");
        File.WriteAllText(script, $$"""
            set -eu
            mode=$1 out=$2
            iso='{{baseIso}}' tgz='{{engine.TgzPath}}' deb='{{deb}}' version='{{engine.Version}}'
            cache='{{directory}}/read-from-base'
            w=$(mktemp -d '{{directory}}/scratch-XXXXXX')
            trap 'rm -rf "$w"' EXIT
            xorriso -osirrox on -indev "$iso" -extract /boot/initrd.img "$w/base.img" 2>/dev/null
            mkdir -p "$w/root/usr/local/bin" "$w/root/usr/local/sbin" "$w/root/etc" "$cache"
            if [ "$mode" = first ]; then
              mkdir "$w/read"
              (cd "$w/read" && xz --format=lzma -dc < "$w/base.img" | cpio -idm --quiet etc/motd etc/os-release)
              { cat "$w/read/etc/motd"; echo 'WARNING: benchmark build.'; } > "$cache/motd"
              sed "s/^VERSION=.*/VERSION=$version/" "$w/read/etc/os-release" > "$cache/os-release"
            fi
            cp "$cache/motd" "$cache/os-release" "$w/root/etc/"
            tar -xzf "$tgz" -C "$w/root/usr/local/bin" --strip-components=1
            dpkg-deb -x "$deb" "$w/deb"
            cp "$w/deb/sbin/ipvsadm" "$w/root/usr/local/sbin/"
            (cd "$w/root" && find . | cpio -o -H newc --quiet -R 0:0) | pigz -6 > "$w/overlay.gz"
            cat "$w/base.img" "$w/overlay.gz" > "$w/initrd.img"
            rm -f "$out"
            xorriso -indev "$iso" -outdev "$out" -boot_image any replay -volid "b2d-v$version" \
              -map "$w/initrd.img" /boot/initrd.img -commit 2>/dev/null

            """);
        return script;
    }

    /// <summary>
    /// Decodes an xz initrd into one cpio file with xz itself (which checks every block's CRC32); returns
    /// its block count, as xz lists it.
    /// </summary>
    public static int DecodeXz(string initrd, string cpio)
    {
        ExternalTool.RunCheckedAsync("sh", ["-c", "xz -dc < \"$1\" > \"$2\"", "sh", initrd, cpio]).GetAwaiter().GetResult();
        var list = ExternalTool.RunCheckedAsync("xz", ["--list", "--robot", initrd]).GetAwaiter().GetResult().StandardOutput;
        var file = list.Split('\n').Single(l => l.StartsWith("file\t", StringComparison.Ordinal)).Split('\t');
        return int.Parse(file[2], System.Globalization.CultureInfo.InvariantCulture);
    }
}
