#!/usr/bin/env python3
"""Synthetic FAQ JSONL for timing `gemba pairs` (bench/RESULTS.md "Pair mining").
Usage: pair-mining-synthetic.py N OUT.jsonl  (deterministic: fixed seed)."""
import json, random, sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1234)
parts = ["エンコーダ", "サーボアンプ", "モータ", "ブレーキ", "冷却ファン", "電源ユニット", "回生抵抗", "ケーブル",
         "コネクタ", "センサ", "バッテリ", "フィルタ", "潤滑油", "グリース", "ベルト", "ギア", "スピンドル", "主軸",
         "insulation", "encoder", "fuse", "relay", "inverter", "PLC", "controller", "valve", "pump", "nozzle"]
faults = ["過電流", "過電圧", "不足電圧", "過熱", "断線", "短絡", "通信異常", "位置ずれ", "振動", "異音", "摩耗",
          "overload", "timeout", "drift", "leak"]
actions = ["配線を確認", "交換", "清掃", "締め直し", "再起動", "パラメータを初期化", "絶縁抵抗を測定", "電圧を確認",
           "メーカーに連絡", "設定値を見直し", "check the wiring", "replace the part", "clean the filter"]
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        code = f"{rng.choice('EAFW')}-{rng.randint(1, 999):03d}"
        p, q = rng.sample(parts, 2)
        fault, act, act2 = rng.choice(faults), rng.choice(actions), rng.choice(actions)
        hours = rng.choice([100, 500, 1000, 3000, 5000])
        question = f"{code}の{p}の{fault}とは?"
        answer = (f"{code}は{p}の{fault}です。{q}の{act}をしてください。"
                  f"改善しない場合は{hours}時間以内に{act2}を行ってください。")
        f.write(json.dumps({"question": question, "answer": answer}, ensure_ascii=False) + "\n")
