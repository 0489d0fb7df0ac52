FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PLATFORM_VAR_DIR=/var/lib/platform
WORKDIR /app
COPY pyproject.toml ./
COPY config ./config
COPY trading ./trading
COPY bidding ./bidding
COPY monitoring ./monitoring
COPY supervisors ./supervisors
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY manage.py ./
RUN pip install --no-cache-dir . && mkdir -p /var/lib/platform \
 && DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput -v0
EXPOSE 8000
CMD ["python", "manage.py", "runplatform", "--bind", "0.0.0.0", "--port", "8000"]
