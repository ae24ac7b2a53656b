// Fisheye de-warping (issue 21): the picture of a 180° equidistant lens drawn as ordinary views with WebGL. Every output
// pixel is a ray; the ray's angle from the lens axis (θ) and its direction around it (φ) give the point of the circle it
// came through: ρ = R·θ/(π/2) from the centre. The camera's frame: x right and y down in its picture, z along the axis.
import { MASK_COLOR, type FisheyeLens, type MaskPoint } from '../../../../electron/contract';

export type DewarpMode = 'single' | 'quad' | 'panorama';
export const DEWARP_MODES: readonly ('fisheye' | DewarpMode)[] = ['fisheye', 'single', 'quad', 'panorama'];

/** A virtual PTZ view: pan and tilt in degrees, horizontal field of view in degrees. */
export interface View { pan: number; tilt: number; fov: number }
export const FOV = { min: 20, max: 120 } as const;
type Vec3 = [number, number, number];

const rad = (d: number) => (d * Math.PI) / 180;
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/**
 * A view's axes in the camera's frame: right, down and forward. On a wall, pan turns right and tilt looks up; on a ceiling
 * (floor), tilt is the angle from straight down (up) toward the horizon and pan goes round the axis, with the world's
 * down at the bottom of the view.
 */
export function viewBasis(mount: FisheyeLens['mount'], v: View): { right: Vec3; down: Vec3; forward: Vec3 } {
  const a = rad(v.pan), b = rad(v.tilt);
  if (mount === 'wall') {
    const forward: Vec3 = [Math.sin(a) * Math.cos(b), -Math.sin(b), Math.cos(a) * Math.cos(b)];
    const right: Vec3 = [Math.cos(a), 0, -Math.sin(a)];
    return { right, down: cross(forward, right), forward };
  }
  const forward: Vec3 = [Math.sin(b) * Math.cos(a), Math.sin(b) * Math.sin(a), Math.cos(b)];
  const side = mount === 'ceiling' ? 1 : -1;
  const right: Vec3 = [-Math.sin(a) * side, Math.cos(a) * side, 0];
  return { right, down: cross(forward, right), forward };
}

/** Where a ray lands in the picture, as fractions of its width and height; null outside the lens's half sphere. */
export function pictureAt(d: Vec3, lens: FisheyeLens, aspect: number): { x: number; y: number } | null {
  const n = Math.hypot(...d);
  const theta = Math.acos(Math.max(-1, Math.min(1, d[2] / n)));
  if (theta > Math.PI / 2) return null;
  const rho = (lens.radius * theta) / (Math.PI / 2);
  const phi = Math.atan2(d[1], d[0]);
  return { x: lens.cx + (rho * Math.cos(phi)) / aspect, y: lens.cy + rho * Math.sin(phi) };
}

/** The view a tile opens with, and the four of the quad layout. */
export function firstView(mount: FisheyeLens['mount']): View {
  return mount === 'wall' ? { pan: 0, tilt: 0, fov: 80 } : { pan: 0, tilt: 50, fov: 80 };
}
export function quadViews(mount: FisheyeLens['mount']): View[] {
  return mount === 'wall'
    ? [-60, -20, 20, 60].map((pan) => ({ pan, tilt: 0, fov: 45 }))
    : [0, 90, 180, 270].map((pan) => ({ pan, tilt: 55, fov: 75 }));
}

/** A view moved by a drag of (dx, dy) viewport fractions or a zoom factor, kept inside what the lens sees. */
export function moveView(mount: FisheyeLens['mount'], v: View, dx: number, dy: number, zoom = 1): View {
  const fov = Math.min(FOV.max, Math.max(FOV.min, v.fov * zoom));
  // Dragging the picture moves it under the pointer: the view turns the other way. Looking from the floor, pan goes
  // round the other way, and looking up is toward the axis.
  const sign = mount === 'floor' ? -1 : 1;
  const pan = ((v.pan - sign * dx * fov + 540) % 360) - 180;
  if (mount === 'wall') return { pan: Math.max(-90, Math.min(90, pan)), tilt: Math.max(-80, Math.min(80, v.tilt + dy * fov)), fov };
  return { pan, tilt: Math.max(0, Math.min(90, v.tilt + sign * dy * fov)), fov };
}

const VERTEX = `#version 300 es
in vec2 pos;
out vec2 uv;
void main() { uv = vec2(pos.x * 0.5 + 0.5, 0.5 - pos.y * 0.5); gl_Position = vec4(pos, 0.0, 1.0); }`;

// The same mapping as pictureAt, per pixel. mode 0: a perspective view (basis, tanHalf); 1: the ring round the axis
// unrolled (ceiling, floor); 2: the half sphere ahead unrolled (wall). pano: first azimuth, its span, first elevation, its span.
const FRAGMENT = `#version 300 es
precision highp float;
uniform sampler2D tex;
uniform float aspect;
uniform vec3 lens;
uniform int mode;
uniform mat3 basis;
uniform vec2 tanHalf;
uniform vec4 pano;
in vec2 uv;
out vec4 color;
const float HALF_PI = 1.5707963;
void main() {
  vec3 d;
  float a = pano.x + uv.x * pano.y;
  float b = pano.z + uv.y * pano.w;
  if (mode == 0) d = basis * vec3((uv.x * 2.0 - 1.0) * tanHalf.x, (uv.y * 2.0 - 1.0) * tanHalf.y, 1.0);
  else if (mode == 1) d = vec3(sin(b) * cos(a), sin(b) * sin(a), cos(b));
  else d = vec3(sin(a) * cos(b), -sin(b), cos(a) * cos(b));
  float theta = acos(clamp(normalize(d).z, -1.0, 1.0));
  float rho = lens.z * theta / HALF_PI;
  float phi = atan(d.y, d.x);
  vec2 t = lens.xy + vec2(rho * cos(phi) / aspect, rho * sin(phi));
  bool inside = theta <= HALF_PI && all(greaterThanEqual(t, vec2(0.0))) && all(lessThanEqual(t, vec2(1.0)));
  color = inside ? texture(tex, t) : vec4(0.0, 0.0, 0.0, 1.0);
}`;

function compile(gl: WebGL2RenderingContext, type: number, src: string): WebGLShader {
  const s = gl.createShader(type)!;
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s) ?? 'shader');
  return s;
}

/** One canvas's WebGL program; draws a video's current frame as the views asked. */
export class FisheyeRenderer {
  private readonly gl: WebGL2RenderingContext;
  private readonly prog: WebGLProgram;
  private readonly at: Record<string, WebGLUniformLocation | null> = {};
  private scratch?: HTMLCanvasElement;

  constructor(canvas: HTMLCanvasElement) {
    const gl = canvas.getContext('webgl2', { antialias: false, preserveDrawingBuffer: true });
    if (!gl) throw new Error('WebGL 2 is not available');
    this.gl = gl;
    const prog = gl.createProgram()!;
    gl.attachShader(prog, compile(gl, gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(prog, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(prog);
    if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog) ?? 'program');
    this.prog = prog;
    gl.useProgram(prog);
    for (const n of ['tex', 'aspect', 'lens', 'mode', 'basis', 'tanHalf', 'pano']) this.at[n] = gl.getUniformLocation(prog, n);
    // One triangle over the whole viewport.
    gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 3, -1, -1, 3]), gl.STATIC_DRAW);
    const pos = gl.getAttribLocation(prog, 'pos');
    gl.enableVertexAttribArray(pos);
    gl.vertexAttribPointer(pos, 2, gl.FLOAT, false, 0, 0);
    gl.bindTexture(gl.TEXTURE_2D, gl.createTexture());
    for (const [k, v] of [[gl.TEXTURE_MIN_FILTER, gl.LINEAR], [gl.TEXTURE_MAG_FILTER, gl.LINEAR], [gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE], [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE]] as const) gl.texParameteri(gl.TEXTURE_2D, k, v);
  }

  /**
   * The frame as drawn: with the channel's privacy masks burnt in first, so no de-warped view shows what they cover (the
   * tile's mask overlay lies over the video, not over this canvas).
   */
  private source(video: HTMLVideoElement, masks: readonly (readonly MaskPoint[])[]): TexImageSource {
    if (masks.length === 0) return video;
    const w = video.videoWidth, h = video.videoHeight;
    const c = (this.scratch ??= document.createElement('canvas'));
    if (c.width !== w || c.height !== h) Object.assign(c, { width: w, height: h });
    const g = c.getContext('2d')!;
    g.drawImage(video, 0, 0, w, h);
    g.fillStyle = MASK_COLOR;
    for (const outline of masks) {
      g.beginPath();
      outline.forEach((p, i) => (i ? g.lineTo(p.x * w, p.y * h) : g.moveTo(p.x * w, p.y * h)));
      g.closePath();
      g.fill();
    }
    return c;
  }

  /** Draws the frame; `views`: one (single), four (quad, left to right, top to bottom) or none (panorama). */
  draw(video: HTMLVideoElement, lens: FisheyeLens, mode: DewarpMode, views: View[], masks: readonly (readonly MaskPoint[])[]): void {
    const { gl, at } = this;
    const W = gl.drawingBufferWidth, H = gl.drawingBufferHeight;
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, this.source(video, masks));
    gl.uniform1f(at.aspect!, video.videoWidth / video.videoHeight);
    gl.uniform3f(at.lens!, lens.cx, lens.cy, lens.radius);
    if (mode === 'panorama') {
      gl.viewport(0, 0, W, H);
      gl.uniform1i(at.mode!, lens.mount === 'wall' ? 2 : 1);
      const p = lens.mount === 'wall' ? [-90, 180, 60, -120] : lens.mount === 'ceiling' ? [0, 360, 90, -70] : [0, -360, 20, 70];
      gl.uniform4f(at.pano!, ...(p.map(rad) as [number, number, number, number]));
      gl.drawArrays(gl.TRIANGLES, 0, 3);
      return;
    }
    gl.uniform1i(at.mode!, 0);
    const cells = mode === 'quad' ? 2 : 1;
    const w = Math.floor(W / cells), h = Math.floor(H / cells);
    views.slice(0, cells * cells).forEach((v, i) => {
      // Row 0 is the top: GL's viewport counts from the bottom.
      gl.viewport((i % cells) * w, H - (Math.floor(i / cells) + 1) * h, w, h);
      const { right, down, forward } = viewBasis(lens.mount, v);
      gl.uniformMatrix3fv(at.basis!, false, [...right, ...down, ...forward]);
      const tx = Math.tan(rad(v.fov) / 2);
      gl.uniform2f(at.tanHalf!, tx, (tx * h) / w);
      gl.drawArrays(gl.TRIANGLES, 0, 3);
    });
  }
}
