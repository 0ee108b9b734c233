// The self-contained UMD build of hdr-histogram-js, which the hosts give learner code (see
// libraries.ts); its API is the package's own.
declare module 'hdr-histogram-js/dist/hdrhistogram.umd.js' {
  const hdr: typeof import('hdr-histogram-js');
  export default hdr;
}
