using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using PuppeteerSharp;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace Autoencoders.ML.Tests;

/// <summary>
/// report.html, the page every model folder gets: self-contained, user text encoded, rewritten by <c>report</c>, and
/// opened in headless Chromium — it renders, is not blank, logs no console error and requests nothing outside the file.
/// </summary>
public sealed class ReportTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ae-report-{Guid.NewGuid():N}");
    private readonly ITestOutputHelper output;

    public ReportTests(ITestOutputHelper output)
    {
        this.output = output;
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ATableReportEncodesColumnNamesAndIsRewrittenByTheReportCommand()
    {
        // Column names a page must not run: markup, an ampersand, quotes.
        string csv = Path.Combine(folder, "odd names.csv");
        var text = new StringBuilder("\"<script>alert(1)</script>\",b&c,\"say \"\"hi\"\"\",d,kind\n");
        var random = new Random(1);
        for (int r = 0; r < 120; r++)
        {
            text.Append(string.Join(',', Enumerable.Range(0, 4).Select(_ => random.NextDouble().ToString("F3", CultureInfo.InvariantCulture)))).Append(',').Append(r % 3 == 0 ? "x<y" : "plain").Append('\n');
        }

        File.WriteAllText(csv, text.ToString());
        string model = Path.Combine(folder, "m");
        var train = CliProcess.Run(folder, "train", "--data", csv, "--label-column", "kind", "--hidden", "8", "--latent", "2", "--epochs", "3", "--out", model);
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("report.html", train.Output);

        string report = Path.Combine(model, "report.html");
        string html = File.ReadAllText(report);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("b&amp;c", html);
        Assert.Contains("x&lt;y", html); // a label, in the map's legend
        foreach (string section in new[] { "What was trained", "Loss per epoch", "Against exact PCA", "Inputs and reconstructions", "Map of the codes" })
        {
            Assert.Contains(section, html);
        }

        // report rewrites the page from the folder, reading the data recorded in model.json again.
        File.Delete(report);
        var rewrite = CliProcess.Run(folder, "report", "--model", model);
        Assert.True(rewrite.Code == 0, rewrite.Error);
        Assert.Contains("per-feature errors", File.ReadAllText(report), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("coloured by the label column", File.ReadAllText(report));

        var notFolder = CliProcess.Run(folder, "report", "--model", Path.Combine(folder, "none"));
        Assert.Equal(2, notFolder.Code);
        Assert.Contains("not a folder", notFolder.Error);
    }

    [ChromiumFact]
    public async Task AnImageReportRendersInHeadlessChromiumWithoutErrorsOrRequests()
    {
        string csv = Path.Combine(folder, "digits.csv");
        var images = Mnist.Train(300);
        var text = new StringBuilder("label," + string.Join(',', Enumerable.Range(0, 784).Select(i => $"p{i}")) + "\n");
        for (int r = 0; r < images.Length; r++)
        {
            text.Append(r % 10).Append(',').AppendJoin(',', images[r].Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }

        File.WriteAllText(csv, text.ToString());
        string model = Path.Combine(folder, "vae");
        var train = CliProcess.Run(folder, "train", "--data", csv, "--label-column", "label", "--image-shape", "1x28x28", "--kind", "vae", "--loss", "bce",
            "--hidden", "64", "--latent", "4", "--epochs", "2", "--validation-fraction", "0.2", "--anomaly", "--out", model);
        Assert.True(train.Code == 0, train.Error);
        string html = File.ReadAllText(Path.Combine(model, "report.html"));
        foreach (string section in new[] { "Inputs and reconstructions", "Map of the codes", "Samples from the prior", "Anomaly detector (anomaly.onnx)", "data:image/png;base64," })
        {
            Assert.Contains(section, html);
        }

        var (console, requests, screenshot, svgs, brokenImages) = await Render(Path.Combine(model, "report.html"));
        File.Copy(screenshot, Path.Combine(Path.GetTempPath(), "autoencoders-report-screenshot.png"), overwrite: true);
        output.WriteLine($"screenshot: {Path.Combine(Path.GetTempPath(), "autoencoders-report-screenshot.png")}");
        Assert.Empty(console);
        Assert.Empty(requests);
        Assert.True(svgs >= 3, $"{svgs} charts rendered");
        Assert.Equal(0, brokenImages);

        // Not blank: a good share of the pixels are not the background, in several colours.
        using var bitmap = SKBitmap.Decode(screenshot);
        var background = bitmap.GetPixel(0, 0);
        int drawn = 0;
        var colours = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y += 3)
        {
            for (int x = 0; x < bitmap.Width; x += 3)
            {
                var pixel = bitmap.GetPixel(x, y);
                if (pixel != background)
                {
                    drawn++;
                    colours.Add(pixel);
                }
            }
        }

        double share = drawn / (double)((bitmap.Height / 3) * (bitmap.Width / 3));
        Assert.True(share > 0.02 && colours.Count > 20, $"screenshot looks blank: {share:P1} drawn, {colours.Count} colours");
    }

    /// <summary>Opens the page in the system's Chromium; returns console errors, requests that are not the file or data URIs, a full-page screenshot and what rendered.</summary>
    private async Task<(List<string> Console, List<string> Requests, string Screenshot, int Svgs, int BrokenImages)> Render(string page)
    {
        var console = new List<string>();
        var requests = new List<string>();
        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Executable, Headless = true,
            Args = new[] { "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage" },
        });
        await using var tab = await browser.NewPageAsync();
        tab.Console += (_, e) =>
        {
            if (e.Message.Type is ConsoleType.Error or ConsoleType.Warning)
            {
                console.Add($"{e.Message.Type}: {e.Message.Text}");
            }
        };
        tab.PageError += (_, e) => console.Add($"page error: {e.Message}");
        tab.Request += (_, e) =>
        {
            string url = e.Request.Url;
            if (!url.StartsWith("data:", StringComparison.Ordinal) && url != new Uri(page).AbsoluteUri)
            {
                requests.Add(url);
            }
        };
        await tab.SetViewportAsync(new ViewPortOptions { Width = 1100, Height = 900 });
        await tab.GoToAsync(new Uri(page).AbsoluteUri, WaitUntilNavigation.Load);
        int svgs = await tab.EvaluateExpressionAsync<int>("document.querySelectorAll('svg').length");
        int broken = await tab.EvaluateExpressionAsync<int>("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length");
        string screenshot = Path.Combine(folder, "report.png");
        await tab.ScreenshotAsync(screenshot, new ScreenshotOptions { FullPage = true });
        return (console, requests, screenshot, svgs, broken);
    }
}

/// <summary>A test that needs the system's Chromium (Debian package <c>chromium</c>; .ci/run installs it); skipped, saying so, when it is absent.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>The browser: /usr/bin/chromium, or the first <c>chromium</c> / <c>chromium-browser</c> on PATH; null when none.</summary>
    public static readonly string? Executable = Find();

    public ChromiumFactAttribute()
    {
        if (Executable == null)
        {
            Skip = "Chromium is not installed (no /usr/bin/chromium or chromium on PATH); install it with 'apt-get install -y chromium' (.ci/run does) to run the report page test.";
        }
    }

    private static string? Find()
    {
        var candidates = new List<string> { "/usr/bin/chromium" };
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(dir, "chromium"));
            candidates.Add(Path.Combine(dir, "chromium-browser"));
        }

        return candidates.FirstOrDefault(File.Exists);
    }
}
