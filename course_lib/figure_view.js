// The browser side of course_lib.figure_view.FigureView: a background picture (PNG) and, over it, the
// drawing commands of a course_lib.scene.Scene, painted on one <canvas>. See figure_view.py.

// How long a new screen resolution must hold before the kernel is asked to redraw at it (ms).
const REPORT_DELAY_MS = 200;

// matplotlib's path codes (matplotlib.path.Path).
const MOVETO = 1, LINETO = 2, CURVE3 = 3, CURVE4 = 4, CLOSEPOLY = 79;

/** A Path2D of `n` vertices of `xy` (x, y pairs) from vertex `v`, with the codes from `codes[c]` on. */
function buildPath(xy, codes, v, c, n) {
  const path = new Path2D();
  const x = (i) => xy[2 * (v + i)], y = (i) => xy[2 * (v + i) + 1];
  for (let i = 0; i < n;) {
    const code = codes[c + i];
    if (code === MOVETO) { path.moveTo(x(i), y(i)); i += 1; }
    else if (code === LINETO) { path.lineTo(x(i), y(i)); i += 1; }
    else if (code === CURVE3) { path.quadraticCurveTo(x(i), y(i), x(i + 1), y(i + 1)); i += 2; }
    else if (code === CURVE4) { path.bezierCurveTo(x(i), y(i), x(i + 1), y(i + 1), x(i + 2), y(i + 2)); i += 3; }
    else { if (code === CLOSEPOLY) path.closePath(); i += 1; }
  }
  return path;
}

const css = ([r, g, b, a]) => `rgba(${Math.round(255 * r)}, ${Math.round(255 * g)}, ${Math.round(255 * b)}, ${a})`;

/** Fill, then stroke, `path` as the op says (the order matplotlib paints in). */
function paint(ctx, op, path) {
  if (op.fill) { ctx.fillStyle = css(op.fill); ctx.fill(path); }
  if (op.stroke && op.width > 0) {
    ctx.lineWidth = op.width;
    ctx.lineCap = op.cap;
    ctx.lineJoin = op.join;
    ctx.miterLimit = op.width;          // Agg's miter limit is the line width in pixels (thin lines bevel)
    ctx.setLineDash(op.dash || []);
    ctx.lineDashOffset = op.dash_offset;
    ctx.strokeStyle = css(op.stroke);
    ctx.stroke(path);
  }
}

/** Draw every op of the scene (ops, coords, codes) on `ctx`, whose canvas has `scale` pixels per figure pixel. */
function drawScene(ctx, ops, xy, codes, scale) {
  let v = 0, c = 0;
  for (const op of ops) {
    const shape = op.kind === "markers" ? op.n - op.count : op.n;
    const path = buildPath(xy, codes, v, c, shape);
    ctx.save();
    if (op.clip) { ctx.beginPath(); ctx.rect(...op.clip); ctx.clip(); }
    if (op.kind === "markers") {
      for (let k = v + shape; k < v + op.n; k += 1) {       // one copy of the shape at each position
        ctx.setTransform(scale, 0, 0, scale, scale * xy[2 * k], scale * xy[2 * k + 1]);
        paint(ctx, op, path);
      }
    } else {
      paint(ctx, op, path);
    }
    ctx.restore();
    v += op.n;
    c += shape;
  }
}

/** A binary trait (a DataView) as a typed array; copied when its offset does not suit the type. */
function typed(Type, view) {
  if (!view) return new Type(0);
  if (view.byteOffset % Type.BYTES_PER_ELEMENT === 0) {
    return new Type(view.buffer, view.byteOffset, view.byteLength / Type.BYTES_PER_ELEMENT);
  }
  return new Type(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function render({ model, el }) {
  const canvas = document.createElement("canvas");
  canvas.className = "course-figure";
  canvas.setAttribute("role", "img");
  canvas.style.maxWidth = "100%";
  canvas.style.height = "auto";
  el.appendChild(canvas);
  // Each frame is composed here and then copied to the canvas in one call, so that whoever watches the
  // canvas (a test, a screen recorder) only ever sees whole frames.
  const buffer = document.createElement("canvas");
  let decoding = { of: undefined, bitmap: null }, shownFrame = -1, shownBitmap = null, alive = true;

  /** The decoded background (one decoding per picture received, however many frames wait for it). */
  function decode(background) {
    if (decoding.of !== background) {
      const bitmap = background && background.byteLength
        ? createImageBitmap(new Blob([background], { type: "image/png" })) : Promise.resolve(null);
      decoding = { of: background, bitmap };
    }
    return decoding.bitmap;
  }

  /** Take the frame the model holds now; paint it once its background is decoded, unless a newer frame
   *  has been painted by then (frames never wait for each other, so a drag cannot starve the canvas). */
  async function show() {
    const frame = { n: model.get("frame"), width: model.get("width"), height: model.get("height"),
                    ratio: model.get("ratio") || 1, alt: model.get("alt"), ops: model.get("ops"),
                    coords: typed(Float32Array, model.get("coords")), codes: typed(Uint8Array, model.get("codes")) };
    const bitmap = await decode(model.get("background"));
    if (!alive || frame.n <= shownFrame) return;
    paint(frame, bitmap);
    shownFrame = frame.n;
    if (shownBitmap && shownBitmap !== bitmap) shownBitmap.close();     // no frame still to come needs it
    shownBitmap = bitmap;
  }

  function paint(frame, bitmap) {
    const { width, height } = frame;
    const scale = window.devicePixelRatio || 1;
    const pw = Math.round(width * scale), ph = Math.round(height * scale);
    for (const c of [canvas, buffer]) if (c.width !== pw || c.height !== ph) { c.width = pw; c.height = ph; }
    canvas.style.width = `${width}px`;
    canvas.setAttribute("aria-label", frame.alt);
    const ctx = buffer.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, pw, ph);
    // The background and the scene are in the same pixels, `frame.ratio` of them per CSS pixel: both are
    // drawn with that scale, the background at its own size, so they stay together at any ratio.
    const pictureScale = scale / frame.ratio;
    ctx.setTransform(pictureScale, 0, 0, pictureScale, 0, 0);
    if (bitmap) ctx.drawImage(bitmap, 0, 0);
    drawScene(ctx, frame.ops, frame.coords, frame.codes, pictureScale);
    const shown = canvas.getContext("2d");
    shown.clearRect(0, 0, pw, ph);
    shown.drawImage(buffer, 0, 0);
    canvas.dataset.frame = String(frame.n);
    canvas.dataset.ratio = String(frame.ratio);
  }

  /** Tell the kernel how many physical pixels this screen has per CSS pixel, now and whenever that changes
   *  (another screen, the browser's zoom): the explorer then draws its figure at that resolution. A change
   *  is reported once it has held for REPORT_DELAY_MS, so that zooming through several steps redraws once. */
  let resolution = null, pending = null;
  function reportPixelRatio() {
    const ratio = window.devicePixelRatio || 1;
    if (model.get("device_pixel_ratio") !== ratio) {
      try {
        model.set("device_pixel_ratio", ratio);
        model.save_changes();
      } catch (err) {
        // A notebook opened without its kernel shows its saved pictures: there is nobody to redraw them.
      }
    }
    if (resolution) resolution.removeEventListener("change", onResolutionChange);
    resolution = window.matchMedia(`(resolution: ${ratio}dppx)`);
    resolution.addEventListener("change", onResolutionChange);
  }
  function onResolutionChange() {
    clearTimeout(pending);
    pending = setTimeout(reportPixelRatio, REPORT_DELAY_MS);
  }
  reportPixelRatio();

  // Tell the kernel how many views of the figure are on a page, where somebody may move the sliders next
  // to them: one more now, one fewer when this one goes (its cell re-run or cleared).
  function countShown(change) {
    try {
      model.set("shown", Math.max(0, (model.get("shown") || 0) + change));
      model.save_changes();
    } catch (err) {
      // A notebook opened without its kernel: nobody computes anything.
    }
  }
  countShown(+1);

  const onFrame = () => {
    canvas.dataset.received = String(performance.now());   // when the frame reached the page (for timing)
    show().catch((err) => console.error("course figure:", err));
  };
  model.on("change:frame", onFrame);
  onFrame();
  return () => {
    alive = false;
    countShown(-1);
    model.off("change:frame", onFrame);
    clearTimeout(pending);
    if (resolution) resolution.removeEventListener("change", onResolutionChange);
  };
}

export default { render };
