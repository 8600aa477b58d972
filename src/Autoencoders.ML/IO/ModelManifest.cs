using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Autoencoders.ML.IO;

/// <summary>
/// <c>manifest.json</c> of a saved model: the size and SHA-256 of every other file, so that a damaged, truncated,
/// missing or swapped file is named on load instead of giving wrong outputs.
/// </summary>
/// <param name="Format">Always <see cref="ModelArchive.Format"/>.</param>
/// <param name="FormatVersion">The model format version (≥ 2: format 1 had no manifest).</param>
/// <param name="Files">One entry per file of the model.</param>
internal sealed record ModelManifest(string Format, int FormatVersion, IReadOnlyList<ModelManifest.Entry> Files)
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "manifest.json";

    /// <summary>Describes <paramref name="files"/>.</summary>
    public static ModelManifest Describe(IEnumerable<(string Name, byte[] Content)> files) =>
        new(ModelArchive.Format, ModelArchive.FormatVersion, files.Select(f => new Entry(f.Name, f.Content.LongLength, Sha256(f.Content))).ToArray());

    /// <summary>Reads a manifest; any problem is an <see cref="InvalidDataException"/> naming the model and the manifest.</summary>
    public static ModelManifest Read(string model, byte[] content)
    {
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(content, Architecture.AutoencoderSpec.JsonOptions);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"'{model}': {FileName} is not valid JSON ({e.Message}). The file is damaged; save the model again.", e);
        }

        if (manifest?.Files == null || manifest.Format == null || manifest.Files.Any(f => f?.Name == null || f.Sha256 == null))
        {
            throw new InvalidDataException(
                $"'{model}': {FileName} lacks 'format', 'files' or a file's 'name'/'sha256'. The file is damaged; save the model again.");
        }

        if (manifest.Format != ModelArchive.Format)
        {
            throw new InvalidDataException(
                $"'{model}' is not an Autoencoders.ML model: {FileName} has format '{manifest.Format}', expected '{ModelArchive.Format}'.");
        }

        if (manifest.FormatVersion > ModelArchive.FormatVersion || manifest.FormatVersion < 2)
        {
            throw new InvalidDataException(
                $"'{model}': {FileName} has format version {manifest.FormatVersion}; this version of Autoencoders.ML reads versions 1 to {ModelArchive.FormatVersion} " +
                "(a manifest exists from version 2 on). Update the package if the model is newer; otherwise the manifest is damaged.");
        }

        return manifest;
    }

    /// <summary>Serializes the manifest as indented UTF-8 JSON.</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, Architecture.AutoencoderSpec.JsonOptions));

    /// <summary>Throws unless the manifest lists <paramref name="name"/> with exactly this content.</summary>
    /// <param name="model">The model's path, for the message.</param>
    /// <param name="name">The file's name inside the model.</param>
    /// <param name="content">The file's bytes, or null when the file is missing.</param>
    public void Verify(string model, string name, byte[]? content)
    {
        var entry = Files.FirstOrDefault(f => f.Name == name)
            ?? throw new InvalidDataException(
                $"'{model}': {FileName} does not list {name}, which every model has. The manifest is damaged; save the model again.");
        if (content == null)
        {
            throw new InvalidDataException(
                $"'{model}': {name} is missing (the manifest lists it with {entry.Bytes} bytes). Restore the file or save the model again.");
        }

        if (content.LongLength != entry.Bytes)
        {
            throw new InvalidDataException(
                $"'{model}': {name} has {content.LongLength} bytes but the manifest records {entry.Bytes}: the file is truncated, damaged or " +
                "from another model. Restore it or save the model again.");
        }

        string actual = Sha256(content);
        if (!string.Equals(actual, entry.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"'{model}': {name} does not match its SHA-256 in the manifest (expected {entry.Sha256}, got {actual}): the file is damaged or " +
                "was edited. Restore it or save the model again.");
        }
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>One file of the model.</summary>
    /// <param name="Name">File name inside the model folder or zip.</param>
    /// <param name="Bytes">Length in bytes.</param>
    /// <param name="Sha256">SHA-256 of the content, lower-case hex.</param>
    internal sealed record Entry(string Name, long Bytes, string Sha256);
}
