using Boot2IsoKit.Formats.OsRelease;

namespace Boot2IsoKit.Tests.Formats.OsRelease;

public class OsReleaseFileTests
{
    private const string Boot2Docker = "NAME=Boot2Docker\nVERSION=19.03.12\nID=boot2docker\nID_LIKE=tcl\nVERSION_ID=19.03.12\nPRETTY_NAME=\"Boot2Docker 19.03.12 (TCL 10.1)\"\nANSI_COLOR=\"1;34\"\n";

    [Fact]
    public void Setting_the_version_keeps_the_id_and_every_other_line()
    {
        var file = OsReleaseFile.Parse(Boot2Docker);

        file.Set("VERSION", "20.10.24");
        file.Set("PRETTY_NAME", "Boot2Docker 20.10.24 (TCL 10.1); experimental \"build\"");

        var text = file.ToString();
        Assert.Equal("boot2docker", OsReleaseFile.Parse(text)["ID"]);
        Assert.Equal("20.10.24", OsReleaseFile.Parse(text)["VERSION"]);
        Assert.Equal("Boot2Docker 20.10.24 (TCL 10.1); experimental \"build\"", OsReleaseFile.Parse(text)["PRETTY_NAME"]);
        Assert.Contains("ANSI_COLOR=\"1;34\"\n", text, StringComparison.Ordinal);
        Assert.StartsWith("NAME=Boot2Docker\nVERSION=20.10.24\nID=boot2docker\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_is_appended()
    {
        var file = OsReleaseFile.Parse("ID=boot2docker");

        file.Set("BUILD_ID", "b2ik 1");

        Assert.Equal("ID=boot2docker\nBUILD_ID=\"b2ik 1\"\n", file.ToString());
    }

    [Fact]
    public void The_shell_reads_what_we_write()
    {
        var file = OsReleaseFile.Parse("");
        file.Set("PRETTY_NAME", "a \"quoted\" $HOME `x` \\ end");
        var path = Path.GetTempFileName();
        File.WriteAllText(path, file.ToString());
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("sh", ["-c", $". '{path}'; printf %s \"$PRETTY_NAME\""]) { RedirectStandardOutput = true };
            using var sh = System.Diagnostics.Process.Start(start)!;
            var output = sh.StandardOutput.ReadToEnd();
            sh.WaitForExit();

            Assert.Equal("a \"quoted\" $HOME `x` \\ end", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Duplicate keys, quoting forms and comments, read by us and by a shell sourcing the same file.</summary>
    [Theory]
    [InlineData("ID=debian\nID=boot2docker\n", "ID", "boot2docker")]
    [InlineData("ID=boot2docker\n# ID=debian\n", "ID", "boot2docker")]
    [InlineData("ID='boot2docker'\n", "ID", "boot2docker")]
    [InlineData("NAME='a \\ b'\n", "NAME", "a \\ b")]
    [InlineData("NAME=\"a \\\\ b \\n \\$x \\\" c\"\n", "NAME", "a \\ b \\n $x \" c")]
    [InlineData("NAME=a\\ b\n", "NAME", "a b")]
    [InlineData("  VERSION=\"1\"\r\nVERSION=2\r\n", "VERSION", "2")]
    public void A_key_reads_as_the_shell_reads_it(string text, string key, string expected)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, text);
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("sh", ["-c", $". '{path}'; printf %s \"${key}\""]) { RedirectStandardOutput = true };
            using var sh = System.Diagnostics.Process.Start(start)!;
            var shell = sh.StandardOutput.ReadToEnd();
            sh.WaitForExit();

            Assert.Equal(expected, OsReleaseFile.Parse(text)[key]);
            Assert.Equal(expected, OsReleaseFile.Parse(text).ToDictionary()[key]);
            if (!text.Contains('\r', StringComparison.Ordinal))
            {
                Assert.Equal(expected, shell); // the shell keeps a CR in the value; os-release readers strip CRLF
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Setting_a_key_assigned_twice_rewrites_the_assignment_that_counts()
    {
        var file = OsReleaseFile.Parse("VERSION=1\nID=boot2docker\nVERSION=2\n");

        file.Set("VERSION", "3");

        Assert.Equal("VERSION=1\nID=boot2docker\nVERSION=3\n", file.ToString());
        Assert.Equal("3", file["VERSION"]);
    }
}
