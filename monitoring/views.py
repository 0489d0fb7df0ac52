from django.http import HttpResponse

from trading.signing import public_key_pem


def platform_key(request):
    return HttpResponse(public_key_pem(), content_type="application/x-pem-file")
