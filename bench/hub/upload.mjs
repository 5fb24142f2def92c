// @huggingface/hub (npm, tests/node) uploading a folder to a Hub: uploadFiles of every file
// under DIR (read from disk as FileBlobs, LFS basic or multipart as the server answers, no xet)
// into an existing dataset repo. Usage: node upload.mjs URL TOKEN REPO DIR
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { uploadFiles } from "@huggingface/hub";

const [hubUrl, accessToken, name, dir] = process.argv.slice(2);
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else files.push({ path: relative(dir, p), content: pathToFileURL(p) });
  }
};
walk(dir);
await uploadFiles({ repo: { type: "dataset", name }, accessToken, hubUrl, files, useXet: false });
