"""Validates one notebook with nbformat, executes a copy through nbclient with the Tempo kernel,
and prints one JSON object on its last line: the committed and the executed cells, summarised.

Usage: python3 execute_notebook.py NOTEBOOK.ipynb  (JUPYTER_PATH must name a Tempo kernelspec)
"""
import copy
import json
import os
import sys
import time
import traceback

import nbclient
import nbformat


def summarise(nb):
    cells = []
    for cell in nb.cells:
        entry = {
            'id': cell.get('id'),
            'cell_type': cell.cell_type,
            'source': cell.source,
            'tags': cell.metadata.get('tags', []),
        }
        if cell.cell_type == 'code':
            entry['execution_count'] = cell.execution_count
            outputs = []
            for out in cell.outputs:
                item = {'output_type': out.output_type}
                if out.output_type == 'stream':
                    item['name'] = out.name
                    item['text'] = out.text
                elif out.output_type == 'error':
                    item['ename'] = out.ename
                    item['evalue'] = out.evalue
                else:
                    item['mimes'] = sorted(out.data.keys())
                    item['text'] = out.data.get('text/plain', '')
                outputs.append(item)
            entry['outputs'] = outputs
        cells.append(entry)
    return cells


def main(path):
    report = {'path': path}
    committed = nbformat.read(path, as_version=4)
    try:
        nbformat.validate(committed)
        report['validation_error'] = None
    except nbformat.ValidationError as err:
        report['validation_error'] = str(err)
    report['nbformat'] = [committed.nbformat, committed.nbformat_minor]
    report['metadata'] = committed.metadata
    report['committed'] = summarise(committed)

    executed = copy.deepcopy(committed)
    started = time.monotonic()
    try:
        # raises-exception tags are honoured by nbclient: those cells may fail.
        # The kernel starts in the notebook's folder, as Jupyter starts it.
        folder = {'metadata': {'path': os.path.dirname(os.path.abspath(path))}}
        nbclient.NotebookClient(executed, kernel_name='tempo', timeout=120, allow_errors=False, resources=folder).execute()
        report['execution_error'] = None
    except Exception:  # noqa: BLE001 - reported to the Node test, which fails on it
        report['execution_error'] = traceback.format_exc()
    report['seconds'] = time.monotonic() - started
    report['executed'] = summarise(executed)
    print(json.dumps(report))


if __name__ == '__main__':
    main(sys.argv[1])
