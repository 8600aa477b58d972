// Namespaces nearly every file of the library reads, imported once here instead of at the top of each file.
global using System;
global using System.Collections.Generic;
global using System.Linq;
global using TorchSharp;
global using static TorchSharp.torch;
global using Autoencoders.ML.Architecture;
global using Autoencoders.ML.Kinds;
global using Autoencoders.ML.Models;
global using Autoencoders.ML.Data;
global using Autoencoders.ML.Training;
global using Autoencoders.ML.Runtime;
