// Namespaces nearly every command of the tool reads, imported once here instead of at the top of each file.
global using System;
global using System.Collections.Generic;
global using System.CommandLine;
global using System.IO;
global using System.Linq;
global using Autoencoders.ML.Architecture;
global using Autoencoders.ML.Cli.Input;
global using Autoencoders.ML.Cli.Output;
global using Autoencoders.ML.Kinds;
global using Autoencoders.ML.Models;
