/**
 * A group of checkboxes choosing a subset of `options`; `chosen` keeps the order of the clicks.
 * `path` ties the group to a document field so a server issue there can be located.
 */
export function Checklist({
  legend,
  options,
  chosen,
  onChange,
  path,
}: {
  legend: string;
  options: readonly { value: string; label: string }[];
  chosen: readonly string[];
  onChange: (chosen: string[]) => void;
  path?: string;
}) {
  return (
    <fieldset className="group" data-path={path}>
      <legend>{legend}</legend>
      <div className="checks">
        {options.map((o) => (
          <label key={o.value} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(o.value)}
              onChange={(e) => onChange(e.target.checked ? [...chosen, o.value] : chosen.filter((x) => x !== o.value))}
            />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
