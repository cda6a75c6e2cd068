// The browser side of course_lib.figure_view.FigureView: a background picture (PNG) and, over it, the
// drawing commands of a course_lib.scene.Scene, painted on one <canvas>. See figure_view.py.

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

function render({ model, el }) {
  const canvas = document.createElement("canvas");
  canvas.className = "course-figure";
  canvas.setAttribute("role", "img");
  canvas.style.maxWidth = "100%";
  canvas.style.height = "auto";
  el.appendChild(canvas);
  const buffer = document.createElement("canvas");      // each frame is composed here, then shown at once
  let decoding = { of: undefined, bitmap: null }, latest = 0, alive = true;

  /** The decoded background (one decoding per picture received, however many frames wait for it). */
  function decode(background) {
    if (decoding.of !== background) {
      const bitmap = background && background.byteLength
        ? createImageBitmap(new Blob([background], { type: "image/png" })) : Promise.resolve(null);
      decoding = { of: background, bitmap };
    }
    return decoding.bitmap;
  }

  async function show() {
    const ticket = ++latest;
    const bitmap = await decode(model.get("background"));
    if (!alive || ticket !== latest) return;             // a newer frame has come: draw that one instead
    const width = model.get("width"), height = model.get("height");
    const scale = window.devicePixelRatio || 1;
    const pw = Math.round(width * scale), ph = Math.round(height * scale);
    for (const c of [canvas, buffer]) if (c.width !== pw || c.height !== ph) { c.width = pw; c.height = ph; }
    canvas.style.width = `${width}px`;
    canvas.setAttribute("aria-label", model.get("alt"));
    const ctx = buffer.getContext("2d");
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (bitmap) ctx.drawImage(bitmap, 0, 0, width, height);
    const coords = model.get("coords") || new DataView(new ArrayBuffer(0));
    const codes = model.get("codes") || new DataView(new ArrayBuffer(0));
    drawScene(ctx, model.get("ops"),
              new Float32Array(coords.buffer, coords.byteOffset, coords.byteLength / 4),
              new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength), scale);
    const shown = canvas.getContext("2d");
    shown.clearRect(0, 0, pw, ph);
    shown.drawImage(buffer, 0, 0);
    canvas.dataset.frame = String(model.get("frame"));
  }

  const onFrame = () => { show().catch((err) => console.error("course figure:", err)); };
  model.on("change:frame", onFrame);
  onFrame();
  return () => { alive = false; model.off("change:frame", onFrame); };
}

export default { render };
