"""How every form of the platform is laid out: each field in its own block, its label first, then the
input, its help and its errors right below it (tied to the input by ``aria-describedby``), and the
errors of the whole form above them. ``FORM_RENDERER`` in the settings: pages that print a form with
``{{ form }}``, ``as_p`` or ``as_div`` all get this layout, so no page shows a raw ``as_p`` form
whose errors sit away from their field."""
from django.forms.renderers import DjangoTemplates


class PlatformFormRenderer(DjangoTemplates):
    form_template_name = "trading/forms/form.html"
    field_template_name = "trading/forms/field.html"
    LAYOUTS = {"django/forms/p.html": form_template_name, "django/forms/div.html": form_template_name}

    def get_template(self, template_name):
        return super().get_template(self.LAYOUTS.get(template_name, template_name))
