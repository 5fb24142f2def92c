// @huggingface/hub (npm) against a real `hfds serve` (issue 10): whoAmI, createRepo,
// uploadFiles (regular, LFS basic, LFS multipart), listFiles, downloadFile (ranges), commit,
// deleteFile, fileExists. Usage: HFDS_URL=http://127.0.0.1:PORT HFDS_TOKEN=hf_... node serve_hub.mjs
// The server must run with --chunk-size 1048576 so the 3 MiB file takes the multipart path.
import { createHash, randomBytes } from "node:crypto";
import {
  commit, createRepo, deleteFile, downloadFile, fileExists, listFiles, uploadFiles, whoAmI,
} from "@huggingface/hub";

const hubUrl = process.env.HFDS_URL;
const accessToken = process.env.HFDS_TOKEN;
let failures = 0;
function check(what, cond) {
  if (!cond) { failures++; console.error(`FAIL: ${what}`); } else console.log(`ok: ${what}`);
}
const sha = (b) => createHash("sha256").update(b).digest("hex");

const me = await whoAmI({ accessToken, hubUrl });
check("whoAmI name", me.name === "alice");

const repo = { type: "dataset", name: "alice/js" };
const created = await createRepo({ repo, accessToken, hubUrl });
check("createRepo url", created.repoUrl === `${hubUrl}/datasets/alice/js`);
let conflict = 0;
try { await createRepo({ repo, accessToken, hubUrl }); } catch (e) { conflict = e.statusCode; }
check("createRepo twice: 409", conflict === 409);

const small = Buffer.from("hello from hf.js\n");
const lfs = randomBytes(100000);              // binary: LFS, basic PUT
const big = randomBytes(3 * 1048576 + 77);    // > chunk size: multipart
await uploadFiles({
  repo, accessToken, hubUrl, useXet: false,
  files: [
    { path: "a/hello.txt", content: new Blob([small]) },
    { path: "a/data.bin", content: new Blob([lfs]) },
    { path: "big.bin", content: new Blob([big]) },
  ],
});
const files = [];
for await (const f of listFiles({ repo, recursive: true, accessToken, hubUrl })) files.push(f);
const byPath = Object.fromEntries(files.map((f) => [f.path, f]));
check("listFiles has the three files and the folder",
  ["a", "a/hello.txt", "a/data.bin", "big.bin", ".gitattributes"].every((p) => p in byPath));
check("listFiles lfs oid of big.bin", byPath["big.bin"]?.lfs?.oid === sha(big));
check("listFiles size of big.bin", byPath["big.bin"]?.size === big.length);

for (const [path, want] of [["a/hello.txt", small], ["a/data.bin", lfs], ["big.bin", big]]) {
  const blob = await downloadFile({ repo, path, accessToken, hubUrl });
  const got = Buffer.from(await blob.arrayBuffer());
  check(`downloadFile ${path}`, got.equals(want));
}
const part = await downloadFile({ repo, path: "big.bin", accessToken, hubUrl });
const slice = Buffer.from(await part.slice(1000000, 1000100).arrayBuffer());
check("downloadFile range slice", slice.equals(big.subarray(1000000, 1000100)));

await commit({
  repo, accessToken, hubUrl, useXet: false, title: "js commit",
  operations: [
    { operation: "addOrUpdate", path: "b.txt", content: new Blob(["b\n"]) },
    { operation: "delete", path: "a/hello.txt" },
  ],
});
check("commit added b.txt", await fileExists({ repo, path: "b.txt", accessToken, hubUrl }));
check("commit deleted a/hello.txt", !(await fileExists({ repo, path: "a/hello.txt", accessToken, hubUrl })));
await deleteFile({ repo, path: "big.bin", accessToken, hubUrl });
check("deleteFile", !(await fileExists({ repo, path: "big.bin", accessToken, hubUrl })));
check("downloadFile of a missing file is null",
  (await downloadFile({ repo, path: "nope.txt", accessToken, hubUrl })) === null);

if (failures) { console.error(`${failures} check(s) failed`); process.exit(1); }
console.log("all hf.js checks passed");
