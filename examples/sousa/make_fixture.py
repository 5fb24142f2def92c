#!/usr/bin/env python3
"""A SOUSA-like fixture (docs/recipes.md, spec peers.md §1): labels/samples.parquet and
labels/exercises.parquet with the plan's columns, splits.json by profile, real FLAC audio made
with sox (44.1 kHz, 24-bit, mono) and real MIDI files, under audio/<rudiment>/ and midi/<rudiment>/.

    python3 make_fixture.py OUT_DIR [--samples N] [--seconds S]

With the default 4 samples: p1 has two (train), p2 one (validation), p3 one (test); the
third sample has no MIDI (midi_path null) and flam_quality is null where the rudiment has no
flams. Needs pyarrow and sox."""
import argparse
import json
import pathlib
import shutil
import struct
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq

RUDIMENTS = ["single_paradiddle", "flam_tap", "double_stroke_roll", "single_stroke_roll"]
TIERS = ["beginner", "intermediate", "advanced", "professional"]


def midi_bytes(notes, tempo_bpm):
    """A format-0 Standard MIDI File: snare hits (note 38) one per quarter note."""
    track = bytearray(b"\x00\xff\x51\x03" + (60000000 // tempo_bpm).to_bytes(3, "big"))
    for i, velocity in enumerate(notes):
        track += bytes([0x00 if i == 0 else 0x60, 0x99, 38, velocity, 0x60, 0x89, 38, 0])
    track += b"\x00\xff\x2f\x00"
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96) + b"MTrk" + struct.pack(">I", len(track)) + bytes(track)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=0.5)
    a = ap.parse_args()
    out = pathlib.Path(a.out)
    (out / "labels").mkdir(parents=True, exist_ok=True)
    profiles = ["p1", "p1", "p2", "p3"] + [f"p{1 + i % 3}" for i in range(4, a.samples)]
    samples, exercises = [], []
    for i in range(a.samples):
        rud = RUDIMENTS[i % len(RUDIMENTS)]
        tier = TIERS[i % len(TIERS)]
        tempo = 80 + 20 * (i % 4)
        sid = f"{tier[:3]}{i:03d}_{rud}_{tempo}bpm_marching_practiceroom"
        audio_rel = f"audio/{rud}/{sid}.flac"
        (out / audio_rel).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["sox", "-n", "-r", "44100", "-b", "24", "-c", "1", str(out / audio_rel), "synth",
                        str(a.seconds), "sine", str(220 + 55 * (i % 8))], check=True)
        midi_rel = None
        if i % 4 != 2:
            midi_rel = f"midi/{rud}/{sid}.mid"
            (out / midi_rel).parent.mkdir(parents=True, exist_ok=True)
            (out / midi_rel).write_bytes(midi_bytes([60 + (i + k) % 60 for k in range(8)], tempo))
        samples.append({
            "sample_id": sid, "profile_id": profiles[i], "rudiment_slug": rud, "tempo_bpm": tempo,
            "duration_sec": a.seconds, "num_cycles": 2 + i % 3, "skill_tier": tier,
            "skill_tier_binary": "novice" if tier in ("beginner", "intermediate") else "skilled",
            "dominant_hand": "left" if i % 5 == 4 else "right", "midi_path": midi_rel, "audio_path": audio_rel,
            "num_strokes": 16 + i, "num_measures": 2, "soundfont": "marching" if i % 2 == 0 else None,
            "augmentation_preset": "practiceroom" if i % 3 else None, "augmentation_group_id": f"g{i // 2}",
        })
        exercises.append({
            "sample_id": sid, "timing_accuracy": 50.0 + i, "timing_consistency": 60.0 + i,
            "tempo_stability": 70.0, "subdivision_evenness": 65.5, "velocity_control": 55.0,
            "accent_differentiation": 40.0, "accent_accuracy": 80.0, "hand_balance": 90.0,
            "weak_hand_index": 50.0, "flam_quality": 70.0 if "flam" in rud else None,
            "diddle_quality": 75.0 if "double" in rud or "paradiddle" in rud else None,
            "roll_sustain": 80.0 if "roll" in rud else None, "groove_feel_proxy": 0.5, "overall_score": 61.25 + i,
            "tier_confidence": 0.5,
        })
    pq.write_table(pa.Table.from_pylist(samples), out / "labels" / "samples.parquet")
    pq.write_table(pa.Table.from_pylist(exercises), out / "labels" / "exercises.parquet")
    pq.write_table(pa.table({"sample_id": [s["sample_id"] for s in samples for _ in range(2)],
                             "index": [k for _ in samples for k in range(2)]}), out / "labels" / "strokes.parquet")
    (out / "splits.json").write_text(json.dumps({"train_profile_ids": ["p1"], "val_profile_ids": ["p2"],
                                                 "test_profile_ids": ["p3"]}))
    (out / "README.md").write_text("---\nlicense: cc-by-4.0\n---\n# SOUSA\n\nSynthetic snare drum rudiments.\n")
    here = pathlib.Path(__file__).resolve().parent
    shutil.copy(here / "recipe.yaml", out / "recipe.yaml")


if __name__ == "__main__":
    main()
