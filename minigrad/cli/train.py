"""`minigrad train`: the tutorial's training run, in minigrad (or torch), with exact checkpoint and resume.

A checkpoint holds the model, the optimizer, the global RNG state, and the position: the epoch, the number of
batches of it already trained, and the shuffle generator's state at the START of that epoch. Resuming sets the
generator back to that state, so the epoch's permutation is drawn again identically, skips the batches already
trained, and continues: a run killed at any moment and resumed ends with the same bits as one never interrupted.
Checkpoints are written after every epoch and every --checkpoint-every batches by `minigrad.save`, which writes a
temporary file beside the target (`.NAME.<random>.tmp`) and renames it over the target, so the file is always a
whole checkpoint. Writers of one path take turns (a lock on its folder), and each of them first removes the
temporary files a killed writer of that path left behind. The location is tried before any training starts.
"""
import contextlib
import os
import re
import stat
import tempfile
import time

from .common import (Progress, add_common_args, evaluate, framework, load_datasets, make_model, make_optimizer,
                     resolve_device, test_error_line)
from .threads import set_threads

# settings that must match between a checkpoint and the run resuming it, or the result would not be the same run
_SAME_RUN = ("framework", "model", "batch_size", "lr", "optimizer", "momentum", "seed", "limit")


def add_args(p):
    add_common_args(p)
    p.add_argument("--framework", choices=["minigrad", "torch"], default="minigrad",
                   help="train with minigrad (default) or with the torch reference")
    p.add_argument("--device", default=None,
                   help="torch only: cuda, mps or cpu (default: the tutorial's choice, cuda then mps then cpu)")
    p.add_argument("--checkpoint", default=None, metavar="PATH",
                   help="save model, optimizer, RNG and position here after every epoch (and every "
                        "--checkpoint-every batches)")
    p.add_argument("--checkpoint-every", type=int, default=100, metavar="N",
                   help="also checkpoint every N batches within an epoch (default: 100; 0 = only after epochs)")
    p.add_argument("--threads", type=int, default=0,
                   help="BLAS threads (NumPy's OpenBLAS, or torch's pool); default 0: the library's default")
    p.add_argument("--resume", action="store_true",
                   help="continue from --checkpoint if it exists (bit-identical to an uninterrupted run)")
    p.add_argument("--health", nargs="?", const=os.path.join("runs", "health"), default=None, metavar="DIR",
                   help="record gradient norms, update-to-weight ratios, dead ReLUs and saturated units per layer "
                        "and step into DIR/health.json and DIR/health.png (default DIR: runs/health)")
    p.add_argument("--backward", action="append", default=None, metavar="NAME=FILE",
                   help="use your exercise's Function (linear, relu, cross_entropy; from `minigrad exercise start`) "
                        "in the model and report each step's agreement with minigrad's own (default --limit: 10 "
                        "batches); repeatable")


@contextlib.contextmanager
def _folder_lock(folder):
    """Hold an exclusive lock on the folder while a checkpoint in it is written or its leftovers removed, so one
    writer never removes another's temporary file mid-write. The kernel drops it when a process dies. Yields
    whether the lock is held: without flock (Windows) or for an unreadable folder, saves still are atomic, but
    leftovers are left alone, as they could be another writer's file in progress."""
    try:
        import fcntl
        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(fd)


def _target(path):
    """The file a save to path really writes (minigrad.save follows a symlink), as (folder, name)."""
    return os.path.split(os.path.realpath(path))


def remove_leftovers(path):
    """Delete the temporary files that writes of `path` left when killed: `.NAME.<random>.tmp` (minigrad.save's
    and this module's), and the `NAME.tmp` / `.NAME.tmp.<random>.tmp` of earlier versions. Call with the lock held."""
    folder, name = _target(path)
    stale = re.compile(rf"\.{re.escape(name)}(\.tmp)?\.[a-z0-9_]{{8}}\.tmp|{re.escape(name)}\.tmp")
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if stale.fullmatch(entry):
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(folder, entry))


def save_checkpoint(fw, obj, path):
    """One atomic write: minigrad.save's own (temporary file, fsync, rename). torch.save writes in place, so for
    torch the same steps are taken here, with the same temporary name."""
    folder, name = _target(path)
    with _folder_lock(folder) as locked:
        if locked:
            remove_leftovers(path)
        if fw.__name__ != "torch":
            fw.save(obj, path)
            return
        target = os.path.join(folder, name)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                fw.save(obj, f)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, _file_mode(target))  # mkstemp's 0600 -> what open(target, "w") would give
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
            raise


def _file_mode(path):
    """The old file's permissions, or a new file's (0o666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def check_checkpoint_path(path):
    """Refuse, before any training, a --checkpoint that cannot be written: a folder, a missing parent, a parent that
    is a file, a read-only place. Tried for real: a temporary file is made and removed beside the target."""
    if os.path.isdir(path):
        raise SystemExit(f"--checkpoint {path}: is a folder; give a file path, e.g. {os.path.join(path, 'ckpt.mg')}")
    folder = os.path.dirname(os.path.realpath(path))
    shown = os.path.dirname(path) or "."
    if not os.path.exists(folder):
        raise SystemExit(f"--checkpoint {path}: the folder {shown} does not exist; create it first "
                         f"(mkdir -p {shown})")
    if not os.path.isdir(folder):
        raise SystemExit(f"--checkpoint {path}: {shown} is a file, not a folder; a checkpoint needs a folder to "
                         "live in")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise SystemExit(f"--checkpoint {path}: cannot write in {shown} ({e.strerror}); choose a writable place "
                         "before training") from None
    os.close(fd)
    os.remove(tmp)


def _config(args):
    return {key: getattr(args, key, "mlp" if key == "model" else None) for key in _SAME_RUN}


_KEYS = ("model", "optimizer", "rng_state", "generator_state", "epoch", "batch", "config")


def load_checkpoint(fw, path, args):
    with _folder_lock(_target(path)[0]) as locked:
        if locked:
            remove_leftovers(path)
    try:
        if fw.__name__ == "torch":
            ckpt = fw.load(path, map_location="cpu", weights_only=True)
        else:
            ckpt = fw.load(path)
    except Exception as e:  # not a checkpoint file of this framework, or damaged: say which file and why
        raise SystemExit(f"--resume: cannot read {path} as a {fw.__name__} checkpoint: {type(e).__name__}: {e}")
    missing = [k for k in _KEYS if k not in ckpt] if isinstance(ckpt, dict) else list(_KEYS)
    if missing:
        what = f"a dict with keys {sorted(map(str, ckpt))}" if isinstance(ckpt, dict) else type(ckpt).__name__
        raise SystemExit(f"--resume: {path} is a {fw.__name__} file but not a `minigrad train` checkpoint: it "
                         f"holds {what}, a checkpoint has {list(_KEYS)}; give another --checkpoint path")
    saved = ckpt["config"]
    mismatched = [f"{key}: checkpoint {saved.get(key)!r}, now {value!r}"
                  for key, value in _config(args).items()
                  if saved.get(key, "mlp" if key == "model" else None) != value]  # checkpoints before --model: mlp
    if mismatched:
        raise SystemExit(f"--resume: {path} was written by a different run ({'; '.join(mismatched)}); "
                         "use the same settings or another --checkpoint path")
    return ckpt


def run(args):
    if args.backward:
        from ..exercises import training
        return training.run(args)
    if args.checkpoint:
        check_checkpoint_path(args.checkpoint)
    fw = framework(args.framework)
    if args.threads > 0:
        set_threads(args.threads, fw if args.framework == "torch" else None)
    device = resolve_device(args.framework, args.device)
    fw.manual_seed(args.seed)
    model = make_model(args.framework, device, args.model)
    loss_fn = fw.nn.CrossEntropyLoss()
    optimizer = make_optimizer(fw, model.parameters(), args)

    train_data, test_data = load_datasets(args.framework, args.data_dir, args.limit, args.test_limit)
    DataLoader = fw.utils.data.DataLoader
    generator = fw.Generator().manual_seed(args.seed)  # the shuffle's own stream, saved in checkpoints
    train_loader = DataLoader(train_data, batch_size=args.batch_size, shuffle=True, generator=generator)
    test_loader = DataLoader(test_data, batch_size=args.batch_size)

    start_epoch, skip = 0, 0
    if args.resume and args.checkpoint and os.path.exists(args.checkpoint):
        ckpt = load_checkpoint(fw, args.checkpoint, args)
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        fw.set_rng_state(ckpt["rng_state"])
        generator.set_state(ckpt["generator_state"])
        start_epoch, skip = int(ckpt["epoch"]), int(ckpt["batch"])
        print(f"Resuming from {args.checkpoint}: epoch {start_epoch + 1}, batch {skip}")
    elif args.resume:
        print(f"--resume: no checkpoint at {args.checkpoint}, starting from scratch")

    def checkpoint(epoch, batch, generator_state):
        if not args.checkpoint:
            return
        try:
            save_checkpoint(fw, {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                                 "rng_state": fw.get_rng_state(), "generator_state": generator_state,
                                 "epoch": epoch, "batch": batch, "config": _config(args)}, args.checkpoint)
        except OSError as e:  # disk full, the folder gone: the previous checkpoint is still there, whole
            raise SystemExit(f"--checkpoint {args.checkpoint}: writing the checkpoint failed ({e}); the previous "
                             "one, if any, is kept unchanged") from None

    from .health import Health
    health = Health(model) if args.health else None
    size = len(train_loader.dataset)
    for epoch in range(start_epoch, args.epochs):
        print(f"Epoch {epoch + 1}\n-------------------------------")
        epoch_state = generator.get_state()  # the permutation of this epoch is drawn from here
        progress = Progress(size, label=f"epoch {epoch + 1}/{args.epochs} ")
        progress.done = min(skip * args.batch_size, size)
        start = time.perf_counter()
        model.train()
        for batch, (X, y) in enumerate(train_loader):
            if batch < skip:
                continue  # trained before the interruption; its samples were drawn to keep the order
            X, y = X.to(device), y.to(device)
            loss = loss_fn(model(X), y)
            loss.backward()
            if health:
                health.before_step()
            optimizer.step()
            if health:
                health.after_step()
            optimizer.zero_grad()
            progress.update(batch, len(X), loss.item())
            done = batch + 1
            if args.checkpoint_every and done % args.checkpoint_every == 0 and done < len(train_loader):
                checkpoint(epoch, done, epoch_state)
        progress.close()
        seconds = time.perf_counter() - start
        trained = size - min(skip * args.batch_size, size)
        skip = 0
        correct, test_loss, _ = evaluate(fw, model, test_loader, loss_fn, device)
        print(f"trained {trained} samples in {seconds:.1f} s ({trained / max(seconds, 1e-9):.0f} samples/s)")
        print(test_error_line(correct, test_loss))
        checkpoint(epoch + 1, 0, generator.get_state())
    if health:
        health.remove()
        json_path, png_path, note = health.write(args.health)
        print(f"Health: {json_path}, " + (png_path or f"no plot ({note})"))
    print("Done!")
    return model
