using System.Text;

namespace Boot2IsoKit.Stages.Docker;

/// <summary>Accumulates a Dockerfile: comment lines, instructions, and blank lines between steps.</summary>
internal sealed class DockerfileText
{
    private readonly StringBuilder _text = new();
    private bool _pendingComment;
    private bool _continued;

    /// <summary>How many instructions (build steps) have been written: the engine numbers its steps the same way.</summary>
    public int Steps { get; private set; }

    public void Comment(params string[] lines)
    {
        if (!_pendingComment && _text.Length > 0)
        {
            _text.Append('\n');
        }

        foreach (var line in lines)
        {
            _text.Append("# ").Append(line).Append('\n');
        }

        _pendingComment = true;
    }

    /// <summary>An instruction, possibly continued over several lines (each but the last ends with " \").</summary>
    public void Instruction(params string[] lines)
    {
        if (!_pendingComment && _text.Length > 0)
        {
            _text.Append('\n');
        }

        foreach (var line in lines)
        {
            if (!_continued)
            {
                Steps++;
            }

            _continued = line.EndsWith('\\');
            _text.Append(line).Append('\n');
        }

        _pendingComment = false;
    }

    public void Block(string[] comments, params string[] instruction)
    {
        Comment(comments);
        Instruction(instruction);
    }

    /// <summary>One RUN of shell commands joined with &amp;&amp;, one command per line.</summary>
    public void Run(IReadOnlyList<string> commands)
    {
        var lines = new string[commands.Count];
        for (var i = 0; i < commands.Count; i++)
        {
            var prefix = i == 0 ? "RUN " : " && ";
            var suffix = i == commands.Count - 1 ? "" : " \\";
            lines[i] = prefix + commands[i] + suffix;
        }

        Instruction(lines);
    }

    public override string ToString() => _text.ToString();
}
