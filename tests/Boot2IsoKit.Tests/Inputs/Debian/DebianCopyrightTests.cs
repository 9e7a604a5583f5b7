using Boot2IsoKit.Inputs.Debian;
using Boot2IsoKit.Tests.Formats.Initramfs;

namespace Boot2IsoKit.Tests.Inputs.Debian;

/// <summary>A package's licence is asserted only from a machine-readable (DEP-5) copyright file, as an SPDX expression.</summary>
public sealed class DebianCopyrightTests
{
    private const string Header = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: popt\nComment:\n popt was written at Red Hat.\n\n";

    private static string? Read(string text)
    {
        using var scratch = new Scratch();
        File.WriteAllText(scratch["copyright"], text);
        return DebianCopyright.LicenseExpression(scratch["copyright"]);
    }

    [Fact]
    public void Each_files_paragraph_s_licence_is_joined_with_and_in_spdx_names()
    {
        var text = Header
            + "Files: *\nCopyright: (C) 1998 Red Hat\n          (C) 1998-2002 Red Hat, Inc.\nLicense: expat\n Permission is hereby granted.\n .\n THE SOFTWARE IS PROVIDED \"AS IS\".\n\n"
            + "Files: debian/*\nCopyright: 2012 Paul Martin\nLicense: GPL-2+\n This program is free software.\n\n"
            + "Files: tests/*\nCopyright: 2020 someone\nLicense: expat\n\n"
            + "License: GPL-2+\n On Debian systems, see /usr/share/common-licenses/GPL-2.\n";

        Assert.Equal("MIT AND GPL-2.0-or-later", Read(text));
    }

    [Theory]
    [InlineData("GPL-2+ or Artistic", "GPL-2.0-or-later OR Artistic-1.0-Perl")]
    [InlineData("LGPL-2.1", "LGPL-2.1-only")]
    [InlineData("BSD-3-clause", "BSD-3-Clause")]
    [InlineData("GPL-2+ with OpenSSL exception", null)]
    [InlineData("permissive", null)]
    public void A_licence_field_maps_to_spdx_or_to_nothing(string field, string? expected) =>
        Assert.Equal(expected, DebianCopyright.Expression(field));

    [Fact]
    public void A_free_text_copyright_file_or_an_unnamed_licence_asserts_nothing()
    {
        Assert.Null(Read("This package was debianized by someone.\n\nLicense: GPL\n"));
        Assert.Null(Read(Header + "Files: *\nCopyright: 2020 someone\nLicense: some-local-licence\n text\n"));
    }
}
