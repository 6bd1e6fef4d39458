"""Whether the page being drawn is narrowed by a filter its reader chose: what its “filtered”
note and its “Clear filters” link say. The page number, the order and whatever else an address
carries (?utm_source=) narrow nothing, so a second page of everything is not called filtered."""
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def filtered(context):
    """True when the address gives a value to a field of the page's filters: its FilterSet's
    (``filter``) or its filter form's (``list_form``, else ``form``); an order (``sort``) is no
    filter."""
    if context.get("filter") is not None:
        form = context["filter"].form
    else:
        form = context.get("list_form") or context.get("form")
    if form is None:
        return False
    params = context["request"].GET
    return any(value.strip() for name in form.fields if name != "sort" for value in params.getlist(name))
