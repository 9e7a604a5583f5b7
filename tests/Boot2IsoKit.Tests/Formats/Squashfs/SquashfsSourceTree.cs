using Boot2IsoKit.Tests.Formats.Initramfs;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Squashfs;

/// <summary>
/// A directory tree with everything a squashfs image can hold, made once per test class with the shell
/// (as root: device nodes and owners): files of sizes around the block sizes, incompressible and
/// compressible data, sparse files, hard links (big and fragment-sized), symlinks (relative, absolute,
/// long), devices with large numbers, a fifo, uid/gid above 65535, special permission bits, empty files
/// and directories, 255-byte and UTF-8 names, deep nesting, and 3000 names in one directory (more than
/// one metadata block of entries, and more than one 256-entry listing run). The socket is added by
/// mksquashfs pseudo definition (<see cref="PseudoArguments"/>).
/// </summary>
public sealed class SquashfsSourceTree : IAsyncLifetime
{
    private Scratch? _scratch;

    internal string Source => Scratch["src"];

    internal Scratch Scratch => _scratch ?? throw new InvalidOperationException("not initialized");

    /// <summary>mksquashfs arguments that add what the shell cannot make portably.</summary>
    public static IReadOnlyList<string> PseudoArguments => ["-p", "dev/sock i 755 0 0 s"];

    public async ValueTask InitializeAsync()
    {
        _scratch = new Scratch();
        Requires.Tools("mksquashfs", "unsquashfs", "mknod", "truncate");
        if (Environment.UserName != "root")
        {
            Requires.Missing("the squashfs comparison tests make device nodes and owners: they run as root (CI does)");
        }

        await Scratch.Sh("""
            mkdir -p src && cd src
            mkdir -p empty-dir deep/a/b/c/d/e/f/g/h/i/j "spaced name" many bin dev tmp "héllo-wörld"
            : > empty
            printf x > one
            head -c 4095 /dev/urandom > b4095
            head -c 4096 /dev/urandom > b4096
            head -c 4097 /dev/urandom > b4097
            head -c 131077 /dev/urandom > b131077
            head -c 1300000 /dev/urandom > big-random
            { yes 'a compressible line of text' || :; } | head -c 600000 > text
            truncate -s 5000000 sparse && printf data | dd of=sparse bs=1 seek=2500000 conv=notrunc status=none
            truncate -s 70000 zeros
            ln text hard1 && ln text bin/hard2 && ln one one-link
            ln -s one rel && ln -s /etc/passwd abs && ln -s "$(printf 'x%.0s' $(seq 1000))" long-target && ln -s ../../one deep/a/up
            mknod dev/null c 1 3 && mknod dev/big b 300 70000 && mkfifo dev/fifo
            chown 70000:80000 one && chown 1000:65536 text && chown 100000:0 b4097 && chown -h 70001:70002 rel
            printf '#!/bin/sh\n' > bin/suid && chmod 4755 bin/suid
            printf '#!/bin/sh\n' > bin/sgid && chmod 2711 bin/sgid
            chmod 1777 tmp && printf s > secret && chmod 600 secret && : > none && chmod 000 none
            long=$(printf 'n%.0s' $(seq 255)) && printf long > "$long" && mkdir "d$(printf 'm%.0s' $(seq 200))" && printf in > "d$(printf 'm%.0s' $(seq 200))/f"
            printf deep > deep/a/b/c/d/e/f/g/h/i/j/leaf && printf utf > "héllo-wörld/ünïcode file"
            for i in $(seq -w 1 3000); do printf "$i" > "many/file-with-a-longish-name-$i"; done
            touch -h -d @1234567890 one rel && touch -d @1500000000 empty-dir many && touch -d @4000000000 text
            """);
    }

    public ValueTask DisposeAsync()
    {
        _scratch?.Dispose();
        return ValueTask.CompletedTask;
    }
}
