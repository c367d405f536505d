import Markdown from 'markdown-to-jsx';

/**
 * Text written in Markdown (plugin descriptions and notes) as formatted inline elements:
 * React elements, never HTML strings, and raw HTML in the text is shown as text.
 */
export function MarkdownText({ text, className }: { text: string; className?: string }) {
  return (
    <Markdown className={className} options={{ forceInline: true, disableParsingRawHTML: true }}>
      {text}
    </Markdown>
  );
}
