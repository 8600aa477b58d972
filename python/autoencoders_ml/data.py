"""Rows for training, read as the C# command-line tool reads them: a CSV with a header (numeric columns are features,
a --label-column is left out) or an IDX / IDX.gz file (pixels divided by 255)."""
import csv
import gzip
import struct

import numpy as np

# IDX element types: https://yann.lecun.com/exdb/mnist/ (0x08 unsigned byte ... 0x0E double), big-endian.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_rows(path, label_column=None, max_rows=None):
    """(rows float32 (N, D), feature names) from a CSV or IDX file; errors name the file, line and column."""
    lower = path.lower()
    if lower.endswith(".csv"):
        return _csv(path, label_column, max_rows)
    if "idx" in lower or lower.endswith(".gz") or lower.endswith("-ubyte"):
        return _idx(path, max_rows)
    raise ValueError(f"{path}: expected a .csv file (with a header) or an IDX file (*-idx3-ubyte, optionally .gz)")


def _csv(path, label_column, max_rows):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{path}: the file is empty; expected a header line and rows")
        if label_column is not None and label_column not in header:
            raise ValueError(f"{path}: --label-column {label_column!r} is not a column; the header has {', '.join(header)}")
        keep = [i for i, name in enumerate(header) if name != label_column]
        rows = []
        for line, row in enumerate(reader, start=2):
            if max_rows is not None and len(rows) >= max_rows:
                break
            if len(row) != len(header):
                raise ValueError(f"{path}: line {line} has {len(row)} values; the header has {len(header)}")
            try:
                rows.append([float(row[i]) for i in keep])
            except ValueError:
                bad = next(i for i in keep if not _is_number(row[i]))
                raise ValueError(f"{path}: line {line}, column {header[bad]!r}: {row[bad]!r} is not a number "
                                 "(give the label column with --label-column)") from None
    if not rows:
        raise ValueError(f"{path}: no rows after the header")
    return np.asarray(rows, dtype=np.float32), [header[i] for i in keep]


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _idx(path, max_rows):
    opener = gzip.open if path.lower().endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file (magic {data[:4].hex()})")
    dims = data[3]
    shape = struct.unpack(f">{dims}I", data[4:4 + 4 * dims])
    count = shape[0] if max_rows is None else min(shape[0], max_rows)
    width = int(np.prod(shape[1:])) if dims > 1 else 1
    values = np.frombuffer(data, dtype=_IDX_TYPES[data[2]], count=count * width, offset=4 + 4 * dims)
    rows = values.astype(np.float32).reshape(count, width) / np.float32(255)
    return rows, [f"pixel{i}" for i in range(width)]
