// The static controls of the book's explorers (snncore/frames.py writes their markup).
//
// Each .snn-explorer holds range inputs over precomputed stops and the image of the
// current state. Moving a slider shows the frame of exactly the values shown; when the
// control holds one slider at a time, the other sliders return to their defaults first.
// Frames load lazily: the neighbours of the shown state (one stop either way on each
// slider) are fetched and decoded once the control nears the viewport, so that a step
// swaps an image that is already in memory.
(() => {
  'use strict';

  function setup(root) {
    const spec = JSON.parse(root.dataset.snnExplorer);
    const inputs = [...root.querySelectorAll('input[type=range]')];
    const outputs = [...root.querySelectorAll('output')];
    const image = root.querySelector('img.snn-explorer-frame');
    const cache = new Map();  // address -> Image, kept so that its decoded pixels stay

    const address = (state) => {
      const name = spec.frames[state.join('-')];
      return name === undefined ? null : spec.root + name + '.webp';
    };
    const current = () => inputs.map((input) => Number(input.value));

    function fetchFrame(state) {
      const url = address(state);
      if (url !== null && !cache.has(url)) {
        const frame = new Image();
        frame.decoding = 'async';
        frame.src = url;
        frame.decode().catch(() => cache.delete(url));
        cache.set(url, frame);
      }
    }

    // The states one step away on each slider. In one-at-a-time mode a move of one
    // slider returns the others to their defaults, so its neighbours are taken from there.
    function neighbours(state) {
      const found = [];
      state.forEach((index, k) => {
        for (const step of [-1, 1]) {
          const next = spec.single ? spec.default.map((d, j) => (j === k ? index : d))
                                   : state.slice();
          next[k] = index + step;
          if (next[k] >= 0 && next[k] < spec.values[k].length) found.push(next);
        }
      });
      return found;
    }

    function show() {
      const state = current();
      state.forEach((index, k) => {
        outputs[k].value = spec.values[k][index];
        inputs[k].setAttribute('aria-valuetext', spec.values[k][index]);
      });
      const url = address(state);
      if (url !== null && image.getAttribute('src') !== url) image.src = url;
      neighbours(state).forEach(fetchFrame);
    }

    inputs.forEach((input, k) => {
      input.addEventListener('input', () => {
        if (spec.single) {
          inputs.forEach((other, j) => {
            if (j !== k) other.value = spec.default[j];
          });
        }
        show();
      });
      input.disabled = false;
    });
    // A browser may restore moved sliders on reload: show what they say.
    if (current().some((index, k) => index !== spec.default[k])) show();

    if ('IntersectionObserver' in window) {
      const observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          observer.disconnect();
          neighbours(current()).forEach(fetchFrame);
        }
      }, {rootMargin: '600px'});
      observer.observe(root);
    } else {
      neighbours(current()).forEach(fetchFrame);
    }
  }

  const start = () => document.querySelectorAll('.snn-explorer[data-snn-explorer]')
    .forEach(setup);
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
