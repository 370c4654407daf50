// The navigation drawer's toggle (MainLayout): its state lives in the browser alone, so an open page costs the
// server nothing for it. The button flips .nav-toggled on the layout; what that means depends on the width
// (app.css): beside the page it hides the drawer, on a narrow screen it shows it over the page, where a click on
// the scrim or on a link, or Escape, closes it again. Clicks are taken at the document: Blazor replaces the
// prerendered elements when the page becomes interactive.
(() => {
    const narrow = window.matchMedia('(max-width: 959.98px)');
    const layout = () => document.querySelector('.console-layout');

    function toggle(on) {
        const element = layout();
        if (!element) {
            return;
        }
        element.classList.toggle('nav-toggled', on);
        element.querySelector('[data-nav-toggle]')?.setAttribute('aria-expanded', String(narrow.matches === on));
    }

    document.addEventListener('click', event => {
        const element = layout();
        if (!element || !(event.target instanceof Element)) {
            return;
        }
        if (event.target.closest('[data-nav-toggle]')) {
            toggle(!element.classList.contains('nav-toggled'));
        } else if (narrow.matches && element.classList.contains('nav-toggled')
            && (event.target.closest('.console-scrim') || event.target.closest('.console-drawer a'))) {
            toggle(false);
        }
    });

    document.addEventListener('keydown', event => {
        if (event.key === 'Escape' && narrow.matches && layout()?.classList.contains('nav-toggled')) {
            toggle(false);
        }
    });

    // Across the breakpoint the same state would mean the opposite: start again from each width's default.
    narrow.addEventListener('change', () => toggle(false));
})();
