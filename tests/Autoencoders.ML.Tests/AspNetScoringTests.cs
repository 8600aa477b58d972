using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>
/// The ASP.NET Core pattern of docs/distributed.md ("Scoring at scale"): a service scores rows with the reloaded pipeline
/// (model.zip through LoadAutoencoderPipeline) from a pool of prediction engines, the PredictionEnginePool pattern, on
/// loopback, and answers what the model computes.
/// </summary>
public sealed class AspNetScoringTests
{
    private const int Width = 784;

    [Fact]
    public async Task AServiceWithPooledPredictionEnginesScoresRowsAsTheModelDoes()
    {
        var ml = new MLContext(seed: 0);
        var rows = Mnist.Train(300);
        var view = Vectors.ToDataView(ml, rows);
        using var model = new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 4 }, new TrainingOptions { Epochs = 1, Seed = 1 })
            .Fit(view);
        string zip = Path.Combine(Path.GetTempPath(), $"ae-aspnet-{Guid.NewGuid():N}.zip");
        try
        {
            using (var transformer = ml.Transforms.ApplyAutoencoder(model, new AutoencoderColumns { ReconstructionColumnName = "Reconstruction" }).Fit(view))
            {
                ml.Model.Save(transformer, view.Schema, zip);
            }

            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var serving = new MLContext();
            var pipeline = serving.Model.LoadAutoencoderPipeline(zip, out _);
            builder.Services.AddSingleton<ObjectPool<PredictionEngine<Row, Scored>>>(
                new DefaultObjectPool<PredictionEngine<Row, Scored>>(new Engines(serving, pipeline)));
            await using var app = builder.Build();
            app.MapPost("/score", (Row row, ObjectPool<PredictionEngine<Row, Scored>> pool) =>
            {
                var engine = pool.Get(); // a PredictionEngine is not thread-safe: one per request, returned to the pool
                try
                {
                    return engine.Predict(row);
                }
                finally
                {
                    pool.Return(engine);
                }
            });
            await app.StartAsync();

            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            var test = Mnist.Test(5);
            var codes = model.Encode(test);
            var reconstructions = model.Reconstruct(test);
            for (int i = 0; i < test.Length; i++)
            {
                using var response = await http.PostAsJsonAsync("/score", new Row { Features = test[i] });
                response.EnsureSuccessStatusCode();
                var scored = (await response.Content.ReadFromJsonAsync<Scored>())!;
                Assert.InRange(OnnxCheck.MaxAbsDifference(new[] { codes[i] }, scored.Latent), 0, OnnxCheck.Tolerance);
                Assert.InRange(OnnxCheck.MaxAbsDifference(new[] { reconstructions[i] }, scored.Reconstruction), 0, OnnxCheck.Tolerance);
            }

            await app.StopAsync();
            (pipeline as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(zip);
        }
    }

    /// <summary>Makes the pool's engines from the one reloaded pipeline.</summary>
    private sealed class Engines(MLContext ml, ITransformer pipeline) : PooledObjectPolicy<PredictionEngine<Row, Scored>>
    {
        public override PredictionEngine<Row, Scored> Create() => ml.Model.CreatePredictionEngine<Row, Scored>(pipeline);

        public override bool Return(PredictionEngine<Row, Scored> engine) => true;
    }

    /// <summary>The request: one row of the model's input width.</summary>
    public sealed class Row
    {
        [VectorType(Width)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>The answer: the transform's columns.</summary>
    public sealed class Scored
    {
        public float[] Latent { get; set; } = Array.Empty<float>();

        public float[] Reconstruction { get; set; } = Array.Empty<float>();
    }
}
