using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
internal static class MullerBrown
{
    public static int Run(string output) => throw new NotImplementedException();
}
