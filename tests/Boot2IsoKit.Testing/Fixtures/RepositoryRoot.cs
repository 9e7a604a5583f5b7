namespace Boot2IsoKit.Testing.Fixtures;

/// <summary>Finds the repository root (the directory holding Boot2IsoKit.sln) from the current or the assembly's directory.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Boot2IsoKit.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException($"No Boot2IsoKit.sln above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}.");
    }
}
