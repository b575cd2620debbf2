import type { Comm, createComms } from '../comm-api';
import { Box, Button, Checkbox, Dropdown, Slider, Text, type ButtonOptions, type CheckboxOptions, type DropdownOptions, type SliderOptions, type TextOptions } from './controls';
import { Interactive, type ControlSpec, type InteractHost, type InteractOptions, type ValuesOf } from './interact';
import { OutputWidget } from './output-widget';
import { PROTOCOL_VERSION, WIDGET_TARGET, type WidgetHost, type WidgetModel } from './widget-model';

type Comms = ReturnType<typeof createComms>['comms'];

/** Answers the front end's `jupyter.widget.control` comm (messages.md: request_states), so a reloaded page gets every model in one message. */
function answerStateRequests(comms: Comms, open: ReadonlyMap<string, WidgetModel>, log: (text: string) => void): void {
  comms.register('jupyter.widget.control', (comm: Comm) => {
    comm.onMsg = (data) => {
      if ((data as { method?: unknown } | null)?.method !== 'request_states') {
        log(`widget control: message ignored: ${JSON.stringify(data).slice(0, 200)}`);
        return;
      }
      // Models hold no binary values, so there are no buffer paths to gather.
      const states = Object.fromEntries([...open].map(([id, model]) => [id, model.fullState()]));
      comm.send({ method: 'update_states', states, buffer_paths: [] });
    };
  });
}

/** What the widget API needs from the executor: interact's host, with comms and a log. */
export interface WidgetApiHost extends Omit<InteractHost, 'widgets'> {
  comms: Comms;
  log(text: string): void;
}

/**
 * The notebook's `widgets` namespace and `interact`: Jupyter widgets (message protocol 2.1,
 * @jupyter-widgets/controls 2.0 models) over the executor's comms. Nothing is set up until the
 * first widget, so cells that use none pay nothing.
 */
export function createWidgetApi(host: WidgetApiHost) {
  const open = new Map<string, WidgetModel>();
  let widgetHost: WidgetHost | undefined;
  const widgetsHost = (): WidgetHost => {
    if (widgetHost) return widgetHost;
    answerStateRequests(host.comms, open, host.log);
    widgetHost = {
      openComm: (data, buffers) => host.comms.open(WIDGET_TARGET, data, { metadata: { version: PROTOCOL_VERSION }, buffers }),
      opened: (model) => open.set(model.id, model),
      closed: (model) => open.delete(model.id),
      log: host.log,
    };
    return widgetHost;
  };
  const interactHost = (): InteractHost => ({ ...host, widgets: widgetsHost() });

  const widgets = {
    /** An IntSlider, or a FloatSlider when any of step, min, max or value is fractional. */
    slider: (options?: SliderOptions) => new Slider(widgetsHost(), options),
    dropdown: <T>(options: DropdownOptions<T>) => new Dropdown<T>(widgetsHost(), options),
    checkbox: (options?: CheckboxOptions) => new Checkbox(widgetsHost(), options),
    text: (options?: TextOptions) => new Text(widgetsHost(), options),
    button: (options?: ButtonOptions) => new Button(widgetsHost(), options),
    /** Shows what a function prints and displays: `out.capture(() => ...)`. */
    output: () => new OutputWidget(widgetsHost()),
    hbox: (children: WidgetModel[]) => new Box(widgetsHost(), 'HBox', children),
    vbox: (children: WidgetModel[]) => new Box(widgetsHost(), 'VBox', children),
    /** Controls and an output that reruns `fn` as they change; display it to show it. */
    interactive: <const S extends Record<string, ControlSpec>>(fn: (values: ValuesOf<S>) => unknown, controls: S, options?: InteractOptions) => new Interactive(interactHost(), fn, controls, options),
    /** How many widget models are open (their comms live until closed). */
    openCount: () => open.size,
  };

  /**
   * `interact(({ jobs }) => ..., { jobs: [1, 50] })`: shows controls for the values and runs `fn`
   * with them now and after every change, each run with its own output and timing line.
   */
  function interact<const S extends Record<string, ControlSpec>>(fn: (values: ValuesOf<S>) => unknown, controls: S, options?: InteractOptions): void {
    const shown = new Interactive(interactHost(), fn, controls, options);
    shown.displayId = `interact-${shown.id}`;
    host.display(shown, shown.displayId);
  }

  return { widgets, interact };
}
