"""Writes the ingest benchmark table (seeded): id int64, name short string, label small int,
score float, tags short list of strings, as JSON Lines or CSV (tags joined by '|' in CSV)."""
import json
import random
import sys

def main():
    fmt, rows, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rng = random.Random(42)
    words = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa"]
    with open(out, "w", encoding="utf-8", newline="") as f:
        if fmt == "csv":
            f.write("id,name,label,score,tags\n")
        buf = []
        for i in range(rows):
            name = "user_%06d" % rng.randrange(1000000)
            label = rng.randrange(10)
            score = round(rng.random() * 1000, 4)
            tags = [rng.choice(words) for _ in range(rng.randrange(1, 5))]
            if fmt == "csv":
                buf.append("%d,%s,%d,%r,%s\n" % (i, name, label, score, "|".join(tags)))
            else:
                buf.append(json.dumps({"id": i, "name": name, "label": label, "score": score, "tags": tags}) + "\n")
            if len(buf) == 10000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))

if __name__ == "__main__":
    main()
