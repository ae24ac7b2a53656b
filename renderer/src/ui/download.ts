/** Offers data as a file download (in Electron: the save dialog); `base64` data is decoded to its bytes first. */
export function offerDownload(fileName: string, data: string | { base64: string }, type: string): void {
  const part = typeof data === 'string' ? data : Uint8Array.from(atob(data.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
