"""How sharing configurations and passwords are rendered and what a PATCH may set (spec sharing §1.2-1.3)."""

from rest_framework import serializers

from sharing.models import SharePassword, SharingConfiguration
from sharing.services import MIN_PASSWORD_LENGTH, PASSWORD_TOO_SHORT
from sharing.settings_schema import INVALID_SETTINGS, InvalidSettings, clean_settings

DELETED_USER = "deleted user"


def created_by_email(password: SharePassword) -> str:
    return password.created_by.email if password.created_by is not None else DELETED_USER


class SharePasswordSerializer(serializers.ModelSerializer):
    created_by_email = serializers.SerializerMethodField()

    class Meta:
        model = SharePassword
        fields = ["id", "created_at", "note", "created_by_email", "is_active"]

    def get_created_by_email(self, password: SharePassword) -> str:
        return created_by_email(password)


class SharingConfigurationSerializer(serializers.ModelSerializer):
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)
    share_passwords = serializers.SerializerMethodField()

    class Meta:
        model = SharingConfiguration
        fields = ["created_at", "enabled", "access_token", "settings", "password_required", "share_passwords"]
        read_only_fields = ["access_token"]

    def get_share_passwords(self, config: SharingConfiguration) -> list[dict]:
        if config.pk is None:
            return []
        passwords = config.share_passwords.filter(is_active=True).select_related("created_by")
        return SharePasswordSerializer(passwords, many=True).data  # type: ignore[return-value]  # stubs: many=True data is a list

    def to_representation(self, config: SharingConfiguration) -> dict:
        data = super().to_representation(config)
        if config.pk is None:
            data["created_at"] = None
        return data


class SharingUpdateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(required=False)
    password_required = serializers.BooleanField(required=False)
    settings = serializers.JSONField(required=False, allow_null=True)

    def validate_settings(self, value):
        try:
            return clean_settings(value)
        except InvalidSettings:
            raise serializers.ValidationError(INVALID_SETTINGS) from None


class SharePasswordCreateSerializer(serializers.Serializer):
    raw_password = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)
    note = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100)

    def validate_raw_password(self, value):
        if value and len(value) < MIN_PASSWORD_LENGTH:
            raise serializers.ValidationError(PASSWORD_TOO_SHORT)
        return value
