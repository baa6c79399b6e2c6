declare module 'virtual:paperkit-entries' {
  export const entries: Record<string, () => Promise<unknown>>;
}
declare module '*?url' {
  const url: string;
  export default url;
}
